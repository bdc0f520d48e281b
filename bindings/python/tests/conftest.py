"""Shared helpers for the hsm test suite."""

from __future__ import annotations

from pathlib import Path

import pytest

#: The repository root: bindings/python/tests/conftest.py -> parents[3].
REPO_ROOT = Path(__file__).resolve().parents[3]
#: The golden vectors shared by the Rust, C and Python test suites.
DATA_DIR = REPO_ROOT / "tests" / "data"


def load_vectors(name: str) -> list[dict[str, str]]:
    """Reads a ``*.vectors`` file: one vector per line of ``key=value`` tokens."""
    path = DATA_DIR / name
    vectors = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        vector = {}
        for token in line.split():
            key, sep, value = token.partition("=")
            assert sep, f"{path}:{number}: bad token {token!r}"
            vector[key] = value
        assert "case" in vector, f"{path}:{number}: no case name"
        vectors.append(vector)
    assert len(vectors) >= 5, f"{path}: only {len(vectors)} vectors"
    return vectors


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root."""
    return REPO_ROOT
