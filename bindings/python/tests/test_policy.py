"""hsm.policy.guard_staffing."""

from __future__ import annotations

import json

import pytest

import hsm
from hsm.policy import StaffingResult, guard_staffing


def test_worked_example() -> None:
    r = guard_staffing(staff=2000, beds=1500, outpatients=8000)
    assert isinstance(r, StaffingResult)
    assert r.required == 75
    assert r.binding == "beds"
    assert r.terms == [
        {"basis": "medical_staff", "input": 2000, "ratio": "3/100", "exact_guards": 60.0, "required": 60},
        {"basis": "beds", "input": 1500, "ratio": "1/20", "exact_guards": 75.0, "required": 75},
        {"basis": "outpatients", "input": 8000, "ratio": "3/1000", "exact_guards": 24.0, "required": 24},
    ]
    assert repr(r) == "StaffingResult(required=75, binding='beds', terms=[60, 75, 24])"


def test_citation() -> None:
    c = guard_staffing(staff=0, beds=0, outpatients=0).citation
    assert set(c) == {"document", "clause", "quote", "gloss"}
    assert c["document"] == "豫卫医函〔2024〕10号"
    assert c["clause"] == "一(三)"
    assert "就高不就低" in c["quote"]
    assert "higher" in c["gloss"]


def test_to_dict_is_plain_json_data() -> None:
    r = guard_staffing(staff=5000, beds=400, outpatients=20000)
    d = r.to_dict()
    assert d["required"] == 150 and d["binding"] == "medical_staff"
    assert d["terms"] == r.terms and d["citation"] == r.citation
    assert json.loads(json.dumps(d, ensure_ascii=False)) == d


def test_fractional_terms_round_up() -> None:
    r = guard_staffing(staff=1, beds=21, outpatients=30001)
    assert [t["required"] for t in r.terms] == [1, 2, 91]
    assert r.terms[0]["exact_guards"] == pytest.approx(0.03)
    assert r.terms[2]["exact_guards"] == pytest.approx(90.003)


def test_extremes() -> None:
    r = guard_staffing(staff=2**32 - 1, beds=2**32 - 1, outpatients=2**32 - 1)
    assert (r.required, r.binding) == (214748365, "beds")


@pytest.mark.parametrize("argument", ["staff", "beds", "outpatients"])
@pytest.mark.parametrize("value", [-1, 2**32, 10**30])
def test_out_of_range_count_names_the_argument(argument: str, value: int) -> None:
    kwargs = {"staff": 1, "beds": 1, "outpatients": 1, argument: value}
    with pytest.raises(hsm.InvalidValueError) as info:
        guard_staffing(**kwargs)
    exc = info.value
    assert isinstance(exc, ValueError)
    assert argument in str(exc) and str(value) in str(exc)
    assert exc.code == hsm.status_codes()["InvalidProfile"] == 4001
    assert exc.status == "InvalidProfile"


@pytest.mark.parametrize("value", [1.5, 2.0, "3", None, [1]])
def test_non_integer_count_is_a_type_error(value: object) -> None:
    with pytest.raises(TypeError, match="beds"):
        guard_staffing(staff=1, beds=value, outpatients=1)  # type: ignore[arg-type]


def test_numpy_integers_are_counts() -> None:
    np = pytest.importorskip("numpy")
    r = guard_staffing(staff=np.int64(2000), beds=np.uint32(1500), outpatients=np.int16(8000))
    assert r.required == 75
    with pytest.raises(hsm.InvalidValueError, match="staff"):
        guard_staffing(staff=np.int64(-5), beds=1, outpatients=1)


def test_arguments_are_keyword_only_and_required() -> None:
    with pytest.raises(TypeError):
        guard_staffing(2000, 1500, 8000)  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        guard_staffing(staff=1, beds=1)  # type: ignore[call-arg]


def test_result_is_immutable() -> None:
    r = guard_staffing(staff=1, beds=1, outpatients=1)
    with pytest.raises(AttributeError):
        r.required = 5  # type: ignore[misc]
    # terms and citation are fresh copies: mutating them changes nothing.
    r.terms[0]["required"] = 99
    r.citation["clause"] = "x"
    assert r.terms[0]["required"] == 1 and r.citation["clause"] == "一(三)"
