"""Rule sets, 附件4 equipment and evaluation (re-exported by :mod:`hsm.policy`).

The native module returns JSON; these wrappers give dicts, lists of dicts
and flat records (one per finding) that ``pandas.DataFrame`` takes as is.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Union

from hsm import _native

__all__ = [
    "equipment",
    "evaluate",
    "evaluate_batch",
    "findings_records",
    "rulesets",
    "schedule",
]

Profile = Union[Mapping[str, Any], str, "os.PathLike[str]"]


def rulesets() -> list[dict[str, Any]]:
    """The embedded rule sets: ``id``, ``version``, ``title``, ``jurisdiction``,
    ``extends``, ``rules``, ``effective_rules`` and ``conflicts`` (each with
    ``topic``, ``rules``, ``values``, ``chosen``, ``reason``, ``same_layer``)."""
    result: list[dict[str, Any]] = json.loads(_native.policy_rulesets_json())
    return result


def equipment(
    location: str, daily_traffic: int, site: str | None = None, *, ruleset: str | None = None
) -> dict[str, Any]:
    """The 附件4 equipment for one screening point.

    ``location`` is ``outpatient``, ``emergency``, ``inpatient``, ``admin`` or
    ``garage``; ``site`` ``small``, ``medium`` or ``large``. Returns ``row``
    (1–11), ``xray``/``walkthrough``/``liquid``/``handheld`` as
    ``{"count", "optional"}`` (``liquid`` adds ``kind``), ``band``,
    ``edge_decision`` (a string when the traffic is exactly on a band edge the
    table leaves open) and ``notes``.
    """
    result: dict[str, Any] = json.loads(
        _native.policy_equipment_json(location, daily_traffic, site, ruleset)
    )
    return result


def _as_of(as_of: str | _dt.date) -> str:
    return as_of.isoformat() if isinstance(as_of, _dt.date) else str(as_of)


def _load_profile(p: Profile) -> Mapping[str, Any]:
    if isinstance(p, Mapping):
        return p
    path = Path(os.fspath(p))
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        loaded: Mapping[str, Any] = json.loads(text)
        return loaded
    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11
        raise ValueError(
            f"{path}: reading TOML profiles needs Python 3.11 (tomllib); pass a dict or a .json file"
        ) from None
    return tomllib.loads(text)


def evaluate_batch(
    profiles: Iterable[Profile],
    *,
    as_of: str | _dt.date,
    ruleset: str | None = None,
    trace: bool = False,
) -> list[dict[str, Any]]:
    """Evaluates many hospitals against a rule set (default
    ``cn-henan-2024``; an embedded id or a ``.toml`` path) on ``as_of``.

    Each profile is a dict (fields as in ``policy/schema/profile.schema.json``;
    missing facts are *unknown*, never assumed compliant) or a path to a
    ``.toml``/``.json`` profile. Returns one evaluation per hospital:
    ``hospital``, ``ruleset``, ``as_of``, ``summary``, ``findings`` (each with
    ``rule``, ``kind``, ``status``, ``severity``, ``requirement``, ``actual``,
    ``gap``, ``required``, ``citations``…), ``conflicts`` and ``trace``.
    Raises :class:`hsm.InvalidValueError` for a bad value or date,
    :class:`hsm.FormatError` for a malformed profile.
    """
    docs = [dict(_load_profile(p)) for p in profiles]
    text = _native.policy_evaluate_json(
        json.dumps(docs, default=_json_default), _as_of(as_of), ruleset, trace
    )
    result: list[dict[str, Any]] = json.loads(text)
    return result


def evaluate(
    profile: Profile,
    *,
    as_of: str | _dt.date,
    ruleset: str | None = None,
    trace: bool = False,
) -> dict[str, Any]:
    """Evaluates one hospital; see :func:`evaluate_batch`."""
    return evaluate_batch([profile], as_of=as_of, ruleset=ruleset, trace=trace)[0]


def _json_default(value: object) -> str:
    if isinstance(value, _dt.date):
        return value.isoformat()
    raise TypeError(f"cannot encode {type(value).__name__} in a hospital profile")


def findings_records(evaluations: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """Flat records, one per finding, for ``pandas.DataFrame(records)``:
    ``hospital``, ``as_of``, ``rule``, ``kind``, ``subject``, ``status``,
    ``severity``, ``requirement``, ``actual``, ``gap``, ``required``, ``row``,
    ``citation`` (``document clause``; several joined by ``; ``)."""
    out: list[dict[str, Any]] = []
    for e in evaluations:
        for f in e["findings"]:
            out.append(
                {
                    "hospital": e["hospital"],
                    "as_of": e["as_of"],
                    "rule": f["rule"],
                    "kind": f["kind"],
                    "subject": f.get("subject"),
                    "status": f["status"],
                    "severity": f["severity"],
                    "requirement": f["requirement"],
                    "actual": f["actual"],
                    "gap": f.get("gap"),
                    "required": f.get("required"),
                    "row": f.get("row"),
                    "citation": "; ".join(
                        f"{c['document']} {c['clause']}" for c in f["citations"]
                    ),
                }
            )
    return out


def schedule(
    profile: Profile,
    *,
    from_date: str | _dt.date,
    to_date: str | _dt.date,
    ruleset: str | None = None,
) -> dict[str, Any]:
    """A hospital's duties and deadlines from ``from_date`` to ``to_date``
    (inclusive): ``items`` (each with ``uid``, ``rule``, ``component``
    ``event``/``todo``, ``summary``, ``start``, ``interval_months`` and the
    ``occurrences`` in the period) and ``ics``, the same as an iCalendar
    document (RFC 5545: VEVENT/VTODO, RRULE, stable UIDs, ``X-HSM-RULE``)."""
    doc = dict(_load_profile(profile))
    text = _native.policy_schedule_json(
        json.dumps(doc, default=_json_default), _as_of(from_date), _as_of(to_date), ruleset
    )
    result: dict[str, Any] = json.loads(text)
    return result
