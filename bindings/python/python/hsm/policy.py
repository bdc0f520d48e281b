"""A hospital's security obligations, computed and cited.

Each rule encodes one clause of a Chinese hospital-security document and
returns its derivation together with the clause it cites::

    from hsm.policy import guard_staffing

    need = guard_staffing(staff=2000, beds=1500, outpatients=8000)
    need.required          # 75 = max(60, 75, 24)
    need.binding           # 'beds'
    need.terms[0]["ratio"] # '3/100'
    need.citation["clause"]  # '一(三)'
    need.to_dict()         # plain data, JSON-serialisable

Rule sets are data (``rulesets()``); a hospital profile (a dict, or a
.toml/.json file) evaluated against one gives findings with status
``ok``/``gap``/``unknown``::

    from hsm.policy import equipment, evaluate, evaluate_batch, findings_records

    equipment("emergency", 1000)["row"]          # 4 (band edge: see "notes")
    e = evaluate({"name": "H", "level": 3, "guards": 70, "medical_staff_on_duty": 2000,
                  "open_beds": 1500, "daily_outpatient_avg": 8000}, as_of="2024-10-01")
    [f["status"] for f in e["findings"] if f["rule"] == "henan.staffing.guards"]  # ['gap']
    records = findings_records(evaluate_batch([...], as_of="2024-10-01"))
    # pandas.DataFrame(records): one row per finding
"""

from __future__ import annotations

from hsm._native import StaffingResult, guard_staffing
from hsm._policy_rules import (
    equipment,
    evaluate,
    evaluate_batch,
    findings_records,
    rulesets,
    schedule,
)
from hsm._types import StaffingCitation, StaffingDict, StaffingTerm

__all__ = [
    "StaffingCitation",
    "StaffingDict",
    "StaffingResult",
    "StaffingTerm",
    "equipment",
    "evaluate",
    "evaluate_batch",
    "findings_records",
    "guard_staffing",
    "rulesets",
    "schedule",
]
