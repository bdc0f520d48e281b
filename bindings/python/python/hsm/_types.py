"""Typed shapes of the plain-data results (dicts) that libhsm returns."""

from __future__ import annotations

from typing import Literal, TypedDict

__all__ = ["StaffingCitation", "StaffingDict", "StaffingTerm"]


class StaffingTerm(TypedDict):
    """One term of the guard-staffing rule."""

    basis: Literal["medical_staff", "beds", "outpatients"]
    input: int
    ratio: str
    exact_guards: float
    required: int


class StaffingCitation(TypedDict):
    """The clause a rule encodes, quoted and glossed."""

    document: str
    clause: str
    quote: str
    gloss: str


class StaffingDict(TypedDict):
    """``StaffingResult.to_dict()``."""

    required: int
    binding: Literal["medical_staff", "beds", "outpatients"]
    terms: list[StaffingTerm]
    citation: StaffingCitation
