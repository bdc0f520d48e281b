"""hsm.policy: rule sets, 附件4 equipment (golden vectors), evaluation."""

from __future__ import annotations

import datetime as dt
import json
import threading
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO_ROOT, load_vectors

import hsm
from hsm.policy import equipment, evaluate, evaluate_batch, findings_records, rulesets

EQUIPMENT = load_vectors("equipment.vectors")
EXAMPLE = REPO_ROOT / "policy" / "examples" / "hospital.toml"

WORKED: dict[str, Any] = {
    "name": "H",
    "level": 3,
    "medical_staff_on_duty": 2000,
    "open_beds": 1500,
    "daily_outpatient_avg": 8000,
    "guards": 70,
}


@pytest.mark.parametrize("v", EQUIPMENT, ids=[v["case"] for v in EQUIPMENT])
def test_equipment_vectors(v: dict[str, str]) -> None:
    e = equipment(v["location"], int(v["traffic"]))
    assert e["row"] == int(v["row"])
    opts = v["opt"].split(",")
    for name, opt in zip(["xray", "walkthrough", "liquid", "handheld"], opts):
        assert e[name]["count"] == int(v[name]), name
        assert e[name]["optional"] is (opt == "1"), name
    kind = e["liquid"]["kind"]
    assert (kind or "none") == v["liquid_kind"]
    assert (e["edge_decision"] is not None) is (v["edge"] == "1")


def test_equipment_errors() -> None:
    with pytest.raises(hsm.InvalidValueError):
        equipment("roof", 10)
    with pytest.raises(hsm.InvalidValueError):
        equipment("admin", 10, "huge")
    with pytest.raises(hsm.InvalidValueError):
        equipment("admin", 10, ruleset="cn-mars-2099")
    with pytest.raises(OverflowError):
        equipment("admin", -1)


def test_rulesets() -> None:
    sets = rulesets()
    assert [s["id"] for s in sets] == ["cn-national-2021", "cn-henan-2024"]
    henan = sets[1]
    assert henan["extends"] == "cn-national-2021"
    patrol = [c for c in henan["conflicts"] if c["topic"] == "patrol_team_size"]
    assert patrol and patrol[0]["chosen"] == "henan.patrol.checklist"


def test_evaluate_dict_and_file() -> None:
    e = evaluate(WORKED, as_of=dt.date(2024, 10, 1))
    staffing = [f for f in e["findings"] if f["rule"] == "henan.staffing.guards"]
    assert staffing[0]["status"] == "gap"
    assert staffing[0]["required"] == 75
    assert staffing[0]["citations"][0]["clause"] == "一(三)"
    assert e["trace"] == []
    e2 = evaluate(EXAMPLE, as_of="2024-10-01", trace=True)
    assert e2["summary"]["gap"] > 0
    assert e2["trace"]


def test_missing_facts_are_unknown() -> None:
    e = evaluate({"name": "nothing known"}, as_of="2024-10-01")
    assert e["findings"]
    assert {f["status"] for f in e["findings"]} == {"unknown"}


def test_batch_records_for_pandas() -> None:
    evals = evaluate_batch([WORKED, {"name": "B", "level": 1}], as_of="2024-10-01")
    assert [e["hospital"] for e in evals] == ["H", "B"]
    records = findings_records(evals)
    assert {r["hospital"] for r in records} == {"H", "B"}
    assert set(records[0]) >= {"rule", "status", "requirement", "actual", "citation"}
    json.dumps(records)


def test_evaluate_errors() -> None:
    with pytest.raises(hsm.InvalidValueError):
        evaluate(WORKED, as_of="2024-02-30")
    with pytest.raises(hsm.InvalidValueError):
        evaluate({"name": "x", "level": 7}, as_of="2024-10-01")
    with pytest.raises(hsm.FormatError):
        evaluate({"name": "x", "colour": "red"}, as_of="2024-10-01")
    with pytest.raises(hsm.HsmIOError):
        evaluate(WORKED, as_of="2024-10-01", ruleset="/nonexistent/rules.toml")


def test_custom_ruleset_file(tmp_path: Path) -> None:
    path = tmp_path / "lax.toml"
    path.write_text(
        """
id = "test-strict"
version = "1"
title = "stricter staffing"
jurisdiction = "X"
extends = "cn-henan-2024"
[[rules]]
id = "strict.staffing"
topic = "guard_staffing"
title = "one guard per 10 beds"
kind = "staffing"
effective_from = "2024-01-30"
citations = [{ document = "d", clause = "c", quote = "q", gloss = "g" }]
values = [{ from = "2024-01-30", staff_ratio = [3, 100], beds_ratio = [1, 10], outpatient_ratio = [3, 1000] }]
""",
        encoding="utf-8",
    )
    e = evaluate(WORKED, as_of="2024-10-01", ruleset=str(path))
    staffing = [f for f in e["findings"] if f["kind"] == "staffing"]
    assert staffing[0]["rule"] == "strict.staffing"
    assert staffing[0]["required"] == 150


def test_threads() -> None:
    results: list[int] = []

    def work() -> None:
        for _ in range(20):
            results.append(len(evaluate(WORKED, as_of="2024-10-01")["findings"]))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(set(results)) == 1 and len(results) == 80
