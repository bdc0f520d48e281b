"""hsm.policy.schedule: iCalendar parsed by `icalendar`, expanded by
`recurring-ical-events`; a full year has exactly the notice's counts."""

from __future__ import annotations

import collections
import datetime as dt
from typing import Any

import icalendar
import recurring_ical_events  # type: ignore[import-untyped]
from conftest import REPO_ROOT

from hsm.policy import schedule

EXAMPLE = REPO_ROOT / "policy" / "examples" / "hospital.toml"
HOSPITAL: dict[str, Any] = {"name": "示例医院", "level": 3}


def expand(ics: str, start: dt.date, end: dt.date) -> collections.Counter[str]:
    cal = icalendar.Calendar.from_ical(ics)
    query = recurring_ical_events.of(cal, components=["VEVENT", "VTODO"])
    counts: collections.Counter[str] = collections.Counter()
    for component in query.between(start, end):
        counts[str(component["X-HSM-RULE"])] += 1
    return counts


def test_full_year_expands_to_the_notices_counts() -> None:
    s = schedule(HOSPITAL, from_date="2024-01-01", to_date="2024-12-31")
    counts = expand(s["ics"], dt.date(2024, 1, 1), dt.date(2025, 1, 1))
    assert counts["henan.duty.leadership_briefing"] == 4
    assert counts["henan.duty.risk_sweep"] == 4
    assert counts["henan.duty.emergency_drill"] == 4
    assert counts["henan.duty.situation_bulletin"] == 12
    assert counts["henan.duty.guard_training"] >= 2
    assert counts["henan.duty.staff_training"] >= 1
    # Campaign deadlines inside 2024: 02-28, 06-25, 06-30, 09-25, 11-30.
    for rule in [
        "henan.campaign.self_check_report",
        "henan.campaign.inspection_report",
        "henan.campaign.annual_summary",
        "henan.screening.mandatory",
    ]:
        assert counts[rule] == 1, rule


def test_a_later_full_year_and_the_file_profile() -> None:
    s = schedule(EXAMPLE, from_date=dt.date(2025, 1, 1), to_date=dt.date(2025, 12, 31))
    counts = expand(s["ics"], dt.date(2025, 1, 1), dt.date(2026, 1, 1))
    assert [counts[f"henan.duty.{k}"] for k in ("leadership_briefing", "risk_sweep", "emergency_drill", "situation_bulletin")] == [4, 4, 4, 12]
    # The 2024 campaign is over.
    assert counts["henan.campaign.self_check_report"] == 0


def test_components_uids_and_properties() -> None:
    s = schedule(HOSPITAL, from_date="2024-01-01", to_date="2024-12-31")
    cal = icalendar.Calendar.from_ical(s["ics"])
    events = {str(c["X-HSM-RULE"]): c for c in cal.walk("VEVENT")}
    todos = {str(c["X-HSM-RULE"]): c for c in cal.walk("VTODO")}
    assert "henan.duty.emergency_drill" in events
    assert "henan.duty.situation_bulletin" in todos
    assert "RRULE" in events["henan.duty.emergency_drill"]
    assert all("DTSTAMP" in c and "UID" in c for c in [*events.values(), *todos.values()])
    uids = [str(c["UID"]) for c in cal.walk() if "UID" in c]
    assert len(uids) == len(set(uids))
    # Stable: another period, same hospital → the same UIDs for the same rules.
    s2 = schedule(HOSPITAL, from_date="2024-03-01", to_date="2025-06-30")
    cal2 = icalendar.Calendar.from_ical(s2["ics"])
    uid2 = {str(c["X-HSM-RULE"]): str(c["UID"]) for c in cal2.walk() if "UID" in c}
    for rule, c in events.items():
        assert uid2[rule] == str(c["UID"])
    # Another hospital → different UIDs.
    s3 = schedule({"name": "другая"}, from_date="2024-01-01", to_date="2024-12-31")
    assert s3["items"][0]["uid"] != s["items"][0]["uid"]


def test_items_list_occurrences() -> None:
    s = schedule(HOSPITAL, from_date="2024-01-01", to_date="2024-12-31")
    drills = [i for i in s["items"] if i["rule"] == "henan.duty.emergency_drill"][0]
    assert drills["occurrences"] == ["2024-02-15", "2024-05-15", "2024-08-15", "2024-11-15"]
    assert drills["component"] == "event"
