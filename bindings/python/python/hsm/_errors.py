"""The typed exceptions libhsm raises.

Every error from libhsm is an :class:`HsmError` carrying the stable numeric
status ``code`` (the same number the C ABI returns) and its ``status`` name.
The subclass tells the broad class of the error and also derives from the
matching built-in exception, so ``except ValueError`` keeps working::

    HsmError(Exception)
    ├── InvalidValueError(HsmError, ValueError)   a value outside its domain
    ├── ShapeError(HsmError, ValueError)          array or buffer shapes are wrong
    ├── FormatError(HsmError, ValueError)         a file is malformed
    ├── HsmIOError(HsmError, OSError)             a file could not be read or written
    └── InternalError(HsmError, RuntimeError)     a bug inside libhsm: please report it

``hsm.status_codes()`` lists every code by name.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "FormatError",
    "HsmError",
    "HsmIOError",
    "InternalError",
    "InvalidValueError",
    "ShapeError",
]


class HsmError(Exception):
    """Base class of every libhsm error.

    ``str(exc)`` is the message (naming the offending field and value),
    ``exc.code`` the stable numeric status code and ``exc.status`` its name
    (for example ``2003`` and ``"OutOfRange"``).
    """

    code: int
    """The stable numeric status code (see ``hsm.status_codes()``)."""
    status: str
    """The name of the status code, e.g. ``"InvalidScene"``."""

    def __init__(self, message: str, code: int, status: str) -> None:
        super().__init__(message)
        self.code = code
        self.status = status

    def __reduce__(self) -> tuple[Any, ...]:
        # Keep code and status across pickling (e.g. multiprocessing).
        return (type(self), (str(self), self.code, self.status))


class InvalidValueError(HsmError, ValueError):
    """A value is outside its documented domain (NaN, negative, out of range, …)."""


class ShapeError(HsmError, ValueError):
    """Array or buffer shapes are wrong (dimensions, emptiness, ``out=`` mismatch)."""


class FormatError(HsmError, ValueError):
    """A file's contents are not in the expected format."""


class HsmIOError(HsmError, OSError):
    """Reading or writing a file failed."""


class InternalError(HsmError, RuntimeError):
    """A bug inside libhsm (an internal panic was caught): please report it."""
