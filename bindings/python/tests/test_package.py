"""The package around the native module: version, exceptions, typing, CLI."""

from __future__ import annotations

import pickle
import re
import subprocess
import sys
from pathlib import Path

import pytest

import hsm
from hsm import _native


def workspace_version(repo_root: Path) -> str:
    text = (repo_root / "Cargo.toml").read_text(encoding="utf-8")
    if sys.version_info >= (3, 11):
        import tomllib

        return str(tomllib.loads(text)["workspace"]["package"]["version"])
    # Older interpreters: the [workspace.package] table's version line.
    section = text.split("[workspace.package]", 1)[1].split("\n[", 1)[0]
    match = re.search(r'^version\s*=\s*"([^"]+)"', section, re.MULTILINE)
    assert match, "no version in [workspace.package]"
    return match.group(1)


def test_version_matches_cargo(repo_root: Path) -> None:
    assert hsm.__version__ == workspace_version(repo_root)
    assert hsm.__version__ == _native.__version__


def test_python_dash_m_version() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "hsm", "--version"],
        capture_output=True, text=True, check=True, timeout=60,
    )
    assert done.stdout.strip() == f"hsm {hsm.__version__}"


def test_public_names() -> None:
    for name in hsm.__all__:
        assert hasattr(hsm, name), name
    from hsm import policy, thermal

    for module in (policy, thermal):
        for name in module.__all__:
            assert hasattr(module, name), (module.__name__, name)
    assert hsm.thermal.Radiometry is _native.Radiometry
    assert hsm.policy.guard_staffing is _native.guard_staffing


def test_typed_package() -> None:
    package = Path(hsm.__file__).parent
    assert (package / "py.typed").is_file()
    assert (package / "_native.pyi").is_file()


@pytest.mark.parametrize(
    "cls, builtin",
    [
        (hsm.InvalidValueError, ValueError),
        (hsm.ShapeError, ValueError),
        (hsm.FormatError, ValueError),
        (hsm.HsmIOError, OSError),
        (hsm.InternalError, RuntimeError),
    ],
)
def test_exception_hierarchy(cls: type[hsm.HsmError], builtin: type[Exception]) -> None:
    assert issubclass(cls, hsm.HsmError) and issubclass(cls, builtin)
    assert issubclass(hsm.HsmError, Exception)
    exc = cls("message", 1234, "Name")
    assert (str(exc), exc.code, exc.status) == ("message", 1234, "Name")
    again = pickle.loads(pickle.dumps(exc))
    assert type(again) is cls
    assert (str(again), again.code, again.status) == ("message", 1234, "Name")


def test_raised_exception_carries_code_and_status() -> None:
    with pytest.raises(hsm.HsmError) as info:
        hsm.thermal.Radiometry.tlinear(0.5)
    exc = info.value
    assert type(exc) is hsm.InvalidValueError
    assert (exc.code, exc.status) == (2001, "InvalidRadiometry")
    assert "resolution" in str(exc) and "0.5" in str(exc)
    # Survives pickling (e.g. from a multiprocessing worker).
    again = pickle.loads(pickle.dumps(exc))
    assert (type(again), again.code, str(again)) == (type(exc), exc.code, str(exc))


def test_status_codes() -> None:
    codes = hsm.status_codes()
    assert codes["Ok"] == 0
    assert codes["OutOfRange"] == 2003
    assert codes["InvalidProfile"] == 4001
    assert codes["Panic"] == 9003
    assert codes["Truncated"] == 5003 and codes["LimitExceeded"] == 5005
    # Unique numbers; the count grows as crates add codes (never reused).
    assert len(set(codes.values())) == len(codes) >= 21
    assert codes is not hsm.status_codes()  # a fresh dict each call
