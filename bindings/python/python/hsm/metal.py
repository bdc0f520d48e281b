"""Walk-through metal detection: simulator, detector, features, training, evaluation.

The gate is libhsm's default: 18 zones (9 coil levels × 2 panels), 4
frequencies (1, 3, 9, 27 kHz), 200 Hz, demodulated complex samples. A
passage is a complex128 array of shape ``(T, Z, F)``.

- :class:`Simulator` — seeded passages of a person carrying a built-in
  object (``builtin_objects()``), a class, or an object file, at a body
  location (``"head"``, ``"left_pocket"``, …; random by default).
- :class:`Detector` — ``process(samples)`` for a whole passage, or
  ``push(frame)`` … ``finish()`` for streaming frames ``(Z, F)``; results
  are dicts with ``alarm``, ``decision``, ``class``, ``confidence``,
  ``threat``, ``height_band``, ``side`` (and ``detected``, ``size_m3``,
  ``position_m``, ``peak_s``, ``fit_residual``, ``tensors`` ``(F, 3, 3)``).
- :func:`features` — rotation-invariant features of tensors ``(F, 3, 3)``.
- :func:`simulate_dataset`, :func:`train`, :func:`cross_validate` — labelled
  features end to end through the simulated gate, a trained model (JSON for
  ``Detector(model_json=...)``), whole-group cross-validation.
- :func:`evaluate` — whole-object cross-validation of ``(path, label,
  group, threat)`` rows (object files or MPT-Calculator folders);
  :func:`detection_trial` — the certification-style trial.

Example::

    import hsm

    sim = hsm.metal.Simulator(seed=1)
    samples, truth = sim.passage("pistol_steel", "waist_front")
    det = hsm.metal.Detector("hospital")
    r = det.process(samples)          # {'alarm': True, 'class': 'firearm', ...}

Wrong dtypes raise ``TypeError``; wrong shapes :class:`hsm.ShapeError`;
NaN or infinite samples and unknown names :class:`hsm.InvalidValueError`.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any, Union

import numpy as np
import numpy.typing as npt

from hsm._native import Detector, Simulator
from hsm._native import metal_builtin_objects as _builtin_objects
from hsm._native import metal_classes as _classes
from hsm._native import metal_cross_validate as _cross_validate
from hsm._native import metal_detection_trial as _detection_trial
from hsm._native import metal_evaluate as _evaluate
from hsm._native import metal_features as _features
from hsm._native import metal_simulate_dataset as _simulate_dataset
from hsm._native import metal_train as _train

__all__ = [
    "Detector",
    "Simulator",
    "builtin_objects",
    "classes",
    "cross_validate",
    "detection_trial",
    "evaluate",
    "features",
    "simulate_dataset",
    "train",
]

PathLike = Union[str, "os.PathLike[str]"]


def builtin_objects() -> list[dict[str, Any]]:
    """The built-in objects: dicts with ``name``, ``class`` and ``threat``."""
    return _builtin_objects()


def classes() -> list[tuple[str, bool]]:
    """The object classes (threats first) with their threat flag."""
    return _classes()


def features(tensors: npt.NDArray[np.complex128]) -> npt.NDArray[np.float64]:
    """Rotation-invariant features (13 per frequency) of tensors ``(F, 3, 3)``."""
    return _features(tensors)


def simulate_dataset(
    objects: str = "variants", *, per_class: int = 8, passes: int = 4, seed: int = 0
) -> tuple[npt.NDArray[np.float64], list[str], list[str], list[str]]:
    """Features of estimated signatures end to end through the simulated gate.

    ``objects`` is ``"builtin"`` or ``"variants"`` (``per_class`` seeded
    random objects of every class, sizes, shapes and materials varied).
    Returns ``(X, classes, groups, locations)``: ``X`` float64 ``(N, 52)``,
    and per row the true class, the object (group) and the body location.
    """
    return _simulate_dataset(objects, per_class=per_class, passes=passes, seed=seed)


def train(
    X: npt.NDArray[np.float64],
    y: Sequence[str],
    *,
    hidden: int = 32,
    epochs: int = 600,
    l2: float = 1e-4,
    seed: int = 1,
    threat_weight: float = 2.0,
) -> str:
    """Trains the calibrated classifier; returns the model file (JSON text)."""
    return _train(X, list(y), hidden=hidden, epochs=epochs, l2=l2, seed=seed, threat_weight=threat_weight)


def cross_validate(
    X: npt.NDArray[np.float64],
    y: Sequence[str],
    groups: Sequence[str],
    *,
    folds: int = 5,
    seed: int = 0,
    hidden: int = 32,
    epochs: int = 600,
    l2: float = 1e-4,
    threat_weight: float = 2.0,
) -> dict[str, Any]:
    """Group k-fold cross-validation: no group is in both training and test.

    Returns ``accuracy``, ``threat_detection_rate``, ``false_alarm_rate`` (at
    threat probability 0.5), ``threat_detection_at_5pct_fa``, ``classes``
    and ``confusion``.
    """
    return _cross_validate(
        X,
        list(y),
        list(groups),
        folds=folds,
        seed=seed,
        hidden=hidden,
        epochs=epochs,
        l2=l2,
        threat_weight=threat_weight,
    )


def evaluate(
    objects: Sequence[tuple[PathLike, str, str, bool]],
    *,
    folds: int = 5,
    passes: int = 8,
    seed: int = 0,
) -> dict[str, Any]:
    """Whole-object cross-validation of ``(path, label, group, threat)`` rows.

    Each path is an object file or an MPT-Calculator folder; the result has
    ``threat_detection_rate``, ``false_alarm_rate``, ``accuracy``, ``labels``
    and ``confusion`` (as ``hsm metal evaluate``).
    """
    rows = [(os.fspath(p), str(label), str(group), bool(threat)) for p, label, group, threat in objects]
    return _evaluate(rows, folds=folds, passes=passes, seed=seed)


def detection_trial(program: str = "hospital", *, passes: int = 3, seed: int = 11) -> dict[str, Any]:
    """Every built-in object × body location, ``passes`` each: detection and nuisance rates."""
    return _detection_trial(program, passes=passes, seed=seed)
