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
"""

from __future__ import annotations

from hsm._native import StaffingResult, guard_staffing
from hsm._types import StaffingCitation, StaffingDict, StaffingTerm

__all__ = [
    "StaffingCitation",
    "StaffingDict",
    "StaffingResult",
    "StaffingTerm",
    "guard_staffing",
]
