"""hsm.gate: the passage log, filled by a simulated two-minute morning."""

from __future__ import annotations

import csv
import json
import math
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pytest

import hsm
import hsm.gate
from hsm.gate import ALARMS, COLUMNS, FLAGS, DemoSummary, PassageLog, run_demo

#: The structured array's fields, as documented in hsm/gate.py.
DOCUMENTED_KINDS = {
    "id": "i8",
    "gate": "U",
    "entrance": "U",
    "entry_us": "i8",
    "exit_us": "i8",
    "direction": "U",
    "persons": "u4",
    "site_c": "f8",
    "corrected_c": "f8",
    "body_c": "f8",
    "thermal_outcome": "U",
    "thermal_readings": "u4",
    "thermal_flags": "u4",
    "metal_detected": "?",
    "metal_decision": "U",
    "metal_class": "U",
    "metal_confidence": "f8",
    "metal_threat_p": "f8",
    "metal_height_band": "U",
    "metal_side": "U",
    "alarms": "u4",
    "flags": "u4",
    "token": "U",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    db = tmp_path_factory.mktemp("gate") / "gate.db"
    summary = run_demo(minutes=2.0, seed=1, db=db)
    return db, summary


@pytest.fixture()
def log(demo: tuple[Path, DemoSummary]) -> Iterator[PassageLog]:
    with PassageLog.open_read_only(demo[0]) as opened:
        yield opened


def test_demo_summary_matches_the_log(demo: tuple[Path, DemoSummary]) -> None:
    db, s = demo
    assert s["minutes"] == 2.0 and s["seed"] == 1
    assert s["passages"] > 5
    assert s["passages_in"] > 0 and s["passages_out"] > 0
    assert s["merged_unflagged"] == 0
    assert set(s["fever"]) == {"truth", "alarmed", "rechecked", "false_alarms"}
    for c in s["threat_classes"]:
        assert set(c) == {"class", "carried", "alarmed", "rechecked"}
    with PassageLog(db) as rw:
        assert len(rw) == s["passages"]
        assert rw.schema_version >= 2
        assert not rw.read_only
        rw.check_integrity()
    assert rw.closed


def test_demo_is_deterministic(demo: tuple[Path, DemoSummary]) -> None:
    again = run_demo(minutes=2.0, seed=1)
    first = dict(demo[1])
    for volatile in ("wall_s", "speed_factor"):
        first.pop(volatile)
        again.pop(volatile)  # type: ignore[misc]
    assert again == first


def test_alarm_and_flag_names() -> None:
    assert ALARMS == {"fever": 1, "threat": 2, "recheck": 4, "sensor_fault": 8, "watchlist": 16}
    assert FLAGS["multiple_persons"] == 1 and FLAGS["metal_without_passage"] == 32
    assert sorted(FLAGS.values()) == [1 << k for k in range(len(FLAGS))]


def test_structured_array_dtype(log: PassageLog) -> None:
    arr = log.query()
    assert COLUMNS == tuple(DOCUMENTED_KINDS)
    assert arr.dtype.names == COLUMNS
    for name, kind in DOCUMENTED_KINDS.items():
        dt = arr.dtype.fields[name][0]  # type: ignore[index]
        if kind == "U":
            assert dt.kind == "U", name
        else:
            assert dt == np.dtype(kind), name
    assert len(arr) == len(log)
    assert np.all(np.diff(arr["entry_us"]) >= 0)
    assert np.all(arr["exit_us"] >= arr["entry_us"])
    # Missing values: NaN for floats, "" for strings.
    no_thermal = arr["thermal_outcome"] == ""
    assert np.all(np.isnan(arr["body_c"][no_thermal]))
    assert np.any(~no_thermal)
    assert np.all(arr["token"] == "")
    # The array is what pandas wants: plain columns, one row per passage.
    assert arr[0]["id"] == arr["id"][0]


def test_query_by_direction(log: PassageLog, demo: tuple[Path, DemoSummary]) -> None:
    everything = log.query()
    ways: tuple[Literal["in", "out", "unknown"], ...] = ("in", "out", "unknown")
    parts = {d: log.query(direction=d) for d in ways}
    for d, rows in parts.items():
        assert np.all(rows["direction"] == d)
    assert sum(len(rows) for rows in parts.values()) == len(everything)
    assert int(parts["in"]["persons"].sum()) == demo[1]["passages_in"]
    assert int(parts["out"]["persons"].sum()) == demo[1]["passages_out"]


def test_query_by_alarm(log: PassageLog) -> None:
    everything = log.query()
    for name, bit in ALARMS.items():
        rows = log.query(alarms=[name])
        assert np.all(rows["alarms"] & bit), name
        assert len(rows) == int(np.count_nonzero(everything["alarms"] & bit)), name
    either = log.query(alarms=("fever", "threat"))
    assert len(either) == int(np.count_nonzero(everything["alarms"] & (ALARMS["fever"] | ALARMS["threat"])))
    assert len(log.query(alarms="recheck")) == len(log.query(alarms=["recheck"]))
    assert len(log.query(alarms=[])) == len(everything)


def test_query_filters(log: PassageLog) -> None:
    everything = log.query()
    mid = int(everything["entry_us"][len(everything) // 2])
    early = log.query(to_us=mid)
    late = log.query(from_us=mid)
    assert np.all(early["entry_us"] < mid) and np.all(late["entry_us"] >= mid)
    assert len(early) + len(late) == len(everything)
    assert np.array_equal(log.query(limit=3)["id"], everything["id"][:3])
    assert len(log.query(limit=0)) == 0
    warm = log.query(min_body_c=36.5)
    assert len(warm) > 0 and np.all(warm["body_c"] >= 36.5)
    cool = log.query(max_body_c=36.5)
    assert np.all(cool["body_c"] <= 36.5)
    gate, entrance = str(everything["gate"][0]), str(everything["entrance"][0])
    assert len(log.query(gate=gate, entrance=entrance)) == len(everything)
    assert len(log.query(gate="no-such-gate")) == 0


def test_query_dicts_are_the_jsonl_rows(log: PassageLog) -> None:
    arr = log.query()
    dicts = log.query_dicts()
    assert [d["id"] for d in dicts] == arr["id"].tolist()
    assert list(dicts[0]) == list(COLUMNS)
    for row, d in zip(arr, dicts):
        body = d["body_c"]
        if body is None:
            assert math.isnan(row["body_c"])
        else:
            assert row["body_c"] == body
        assert (d["thermal_outcome"] or "") == row["thermal_outcome"]
        names = [n for n, bit in ALARMS.items() if int(row["alarms"]) & bit]
        assert d["alarms"] == "|".join(names)
        assert d["token"] is None
    fevers = log.query_dicts(direction="in", alarms=["fever"])
    assert all(d["direction"] == "in" and "fever" in d["alarms"].split("|") for d in fevers)


def test_contacts_within_window_and_entrance(log: PassageLog) -> None:
    everything = log.query()
    window_s = 20.0
    window_us = int(window_s * 1e6)
    checked = 0
    for k in range(0, len(everything), max(1, len(everything) // 5)):
        p = everything[k]
        pid = int(p["id"])
        near = log.contacts(pid, window_s)
        assert near.dtype == everything.dtype or near.dtype.names == COLUMNS
        assert pid not in near["id"]
        assert np.all(np.abs(near["entry_us"] - p["entry_us"]) <= window_us)
        assert np.all(near["entrance"] == p["entrance"])
        # Complete: every passage of the entrance in the window is listed.
        expected = everything[
            (np.abs(everything["entry_us"] - p["entry_us"]) <= window_us)
            & (everything["entrance"] == p["entrance"])
            & (everything["id"] != pid)
        ]
        assert sorted(near["id"].tolist()) == sorted(expected["id"].tolist())
        same_gate = log.contacts(pid, window_s, same_gate=True)
        assert np.all(same_gate["gate"] == p["gate"])
        assert set(same_gate["id"].tolist()) <= set(near["id"].tolist())
        assert [d["id"] for d in log.contacts_dicts(pid, window_s)] == near["id"].tolist()
        checked += 1
    assert checked >= 5
    assert len(log.contacts(int(everything["id"][0]), 0.0)) <= len(everything)


def test_flow_adds_up(log: PassageLog) -> None:
    everything = log.query()
    hours = log.flow(0, 2**62, bucket="hour")
    days = log.flow(0, 2**62, bucket="day", utc_offset_min=480)
    inbound = int(everything["persons"][everything["direction"] == "in"].sum())
    outbound = int(everything["persons"][everything["direction"] == "out"].sum())
    for rows in (hours, days):
        assert sum(r["persons_in"] for r in rows) == inbound
        assert sum(r["persons_out"] for r in rows) == outbound
        fever = int(np.count_nonzero(everything["alarms"] & ALARMS["fever"]))
        assert sum(r["fever"] for r in rows) == fever
    assert set(hours[0]) == {"entrance", "start", "persons_in", "persons_out", "fever", "threat", "recheck"}
    assert hours[0]["start"] % 3_600_000_000 == 0


def test_export_formats(log: PassageLog, tmp_path: Path) -> None:
    n = len(log)
    pq = tmp_path / "p.parquet"
    assert log.export(pq) == n
    data = pq.read_bytes()
    assert data[:4] == b"PAR1" and data[-4:] == b"PAR1"

    csv_path = tmp_path / "p.csv"
    assert log.export(csv_path, format="csv") == n
    with csv_path.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == n
    assert [int(r["id"]) for r in rows] == log.query()["id"].tolist()

    jsonl = tmp_path / "p.jsonl"
    assert log.export(str(jsonl), "jsonl") == n
    lines = jsonl.read_text(encoding="utf-8").splitlines()
    assert len(lines) == n
    assert [json.loads(line) for line in lines] == log.query_dicts()

    hashed = tmp_path / "h.jsonl"
    assert log.export(hashed, "jsonl", tokens="hash") == n
    pseudo = tmp_path / "p2.jsonl"
    assert log.export(pseudo, "jsonl", tokens="pseudonym", export_key=bytes(range(32))) == n
    # The demo's persons carry no tokens: the column stays empty.
    assert all(json.loads(line)["token"] is None for line in pseudo.read_text().splitlines())
    assert np.all(log.query(tokens="pseudonym", export_key=b"k" * 40)["token"] == "")

    inbound = tmp_path / "in.csv"
    k = log.export(inbound, "csv", direction="in")
    assert k == len(log.query(direction="in"))
    with inbound.open(newline="", encoding="utf-8") as f:
        assert sum(1 for _ in csv.DictReader(f)) == k


def test_purge_everything(tmp_path: Path) -> None:
    db = tmp_path / "purge.db"
    s = run_demo(minutes=1.0, seed=3, db=db)
    with PassageLog(db) as rw:
        n = len(rw)
        assert n == s["passages"] > 0
        assert rw.purge_before(0) == 0
        assert rw.purge_before(2**62) == n
        assert len(rw) == 0
        rw.check_integrity()
        empty = rw.query()
        assert len(empty) == 0 and empty.dtype.names == COLUMNS
        assert rw.query_dicts() == []
        assert rw.flow(0, 2**62) == []
        out = tmp_path / "empty.csv"
        assert rw.export(out, "csv") == 0
        assert out.read_text(encoding="utf-8").startswith("id,gate,entrance,")


def test_read_only_and_lifecycle(demo: tuple[Path, DemoSummary], tmp_path: Path) -> None:
    ro = PassageLog.open_read_only(demo[0])
    assert ro.read_only and not ro.closed
    assert "read-only" in repr(ro)
    assert ro.path == str(demo[0])
    ro.close()
    ro.close()
    assert ro.closed
    with pytest.raises(hsm.InvalidValueError):
        ro.query()
    with pytest.raises(hsm.InvalidValueError):
        len(ro)
    with pytest.raises(hsm.HsmIOError) as exc:
        PassageLog.open_read_only(tmp_path / "missing.db")
    assert exc.value.status == "Storage"
    # A new read-write log is created and migrated.
    fresh = PassageLog(tmp_path / "fresh.db")
    assert len(fresh) == 0 and fresh.schema_version >= 2
    fresh.close()


def test_threads_share_a_log(log: PassageLog) -> None:
    expected = log.query()["id"].tolist()
    results: list[list[int]] = []

    def work() -> None:
        for _ in range(5):
            results.append(log.query()["id"].tolist())

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 20 and all(r == expected for r in results)


@pytest.mark.parametrize(
    "call, status",
    [
        (lambda log: log.query(min_body_c=float("nan")), "InvalidArgument"),
        (lambda log: log.query(max_body_c=float("inf")), "InvalidArgument"),
        (lambda log: log.query(direction="sideways"), "InvalidArgument"),
        (lambda log: log.query(alarms=["smoke"]), "InvalidArgument"),
        (lambda log: log.query(limit=-1), "InvalidArgument"),
        (lambda log: log.query(tokens="keep"), "InvalidArgument"),
        (lambda log: log.query_dicts(direction="up"), "InvalidArgument"),
        (lambda log: log.contacts(int(log.query()["id"][0]), -1.0), "InvalidArgument"),
        (lambda log: log.contacts(int(log.query()["id"][0]), float("nan")), "InvalidArgument"),
        (lambda log: log.contacts(-42, 10.0), "NotFound"),
        (lambda log: log.flow(0, 1, bucket="week"), "InvalidArgument"),
        (lambda log: log.flow(0, 1, utc_offset_min=10_000), "InvalidArgument"),
        (lambda log: log.flow(0, 1, utc_offset_min=2**40), "InvalidArgument"),
        (lambda log: log.export("x.xlsx", format="xlsx"), "InvalidArgument"),
        (lambda log: log.export("x.csv", format="csv", tokens="plain"), "InvalidArgument"),
        (lambda log: log.export("x.csv", format="csv", tokens="pseudonym"), "InvalidArgument"),
        (lambda log: log.query(tokens="pseudonym", export_key=b"short"), "InvalidArgument"),
        (lambda log: log.query(tokens="hash", export_key=b"k" * 32), "InvalidArgument"),
        (lambda log: log.contacts_dicts(int(log.query()["id"][0]), 5.0, tokens="pseudonym"), "InvalidArgument"),
    ],
)
def test_bad_input_raises_typed_errors(log: PassageLog, call: Any, status: str) -> None:
    with pytest.raises(hsm.InvalidValueError) as exc:
        call(log)
    assert exc.value.status == status
    assert isinstance(exc.value, ValueError)


@pytest.mark.parametrize(
    "call",
    [
        lambda log: log.query(from_us="yesterday"),
        lambda log: log.query(from_us=1.5),
        lambda log: log.query(alarms=[1]),
        lambda log: log.query(min_body_c="hot"),
        lambda log: log.contacts("7", 10.0),
        lambda log: log.contacts(1, "ten"),
        lambda log: log.export(3.0),
        lambda log: log.purge_before(None),
    ],
)
def test_wrong_types_raise_type_error(log: PassageLog, call: Any) -> None:
    with pytest.raises(TypeError):
        call(log)


def test_demo_bad_input(tmp_path: Path) -> None:
    for minutes in (0.0, -1.0, float("nan"), 1441.0):
        with pytest.raises(hsm.InvalidValueError):
            run_demo(minutes=minutes)
    with pytest.raises(TypeError):
        run_demo(minutes=1.0, seed="one")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        run_demo(minutes=1.0, db=12)  # type: ignore[arg-type]


def test_public_names() -> None:
    assert hsm.gate is __import__("hsm").gate
    for name in hsm.gate.__all__:
        assert hasattr(hsm.gate, name), name
