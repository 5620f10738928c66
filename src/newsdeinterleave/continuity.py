"""What the reconstruction engine needs from a language model, and adapters to it.

The engine only ever asks one question of a language model: for each pair of
fragments, how much more likely is the text if the right one directly follows
the left one? Keeping that a one-method protocol lets the shipped n-gram
model, the page-local model and any Hugging Face causal LM
(:mod:`newsdeinterleave.hf`) be swapped without touching the engine.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


@runtime_checkable
class ContinuityModel(Protocol):
    """Scores pairs of fragments; higher means ``right`` more likely follows ``left``.

    Scores are log-likelihood ratios (natural log) centred so that 0 means
    "the left fragment tells nothing about how the right one starts".
    """

    def continuity_batch(self, lefts: Sequence[str], rights: Sequence[str]) -> FloatArray: ...


class _KContinuity(Protocol):
    def continuity_batch(
        self, lefts: Sequence[str], rights: Sequence[str], k: int | None = None
    ) -> FloatArray: ...


@dataclass(frozen=True)
class FixedK:
    """Binds how many chars of the right fragment an n-gram model scores.

    The n-gram models take ``k`` as an optional third argument; this fixes it
    so the bound model is a plain :class:`ContinuityModel` (e.g. to compare
    settings in an ablation without changing the engine).
    """

    model: _KContinuity
    k: int

    def continuity_batch(self, lefts: Sequence[str], rights: Sequence[str]) -> FloatArray:
        return np.asarray(self.model.continuity_batch(lefts, rights, self.k), dtype=np.float64)


@dataclass(frozen=True)
class Clipped:
    """Bounds scores to ``[-limit, limit]`` and maps NaN to 0.

    A single absurd score (an unseen symbol, a model glitch) should not
    dominate a learned linear link model.
    """

    model: ContinuityModel
    limit: float = 20.0

    def continuity_batch(self, lefts: Sequence[str], rights: Sequence[str]) -> FloatArray:
        score = np.asarray(self.model.continuity_batch(lefts, rights), dtype=np.float64)
        score = np.nan_to_num(score, nan=0.0, posinf=self.limit, neginf=-self.limit)
        return np.clip(score, -self.limit, self.limit)


@dataclass(frozen=True)
class Sum:
    """Weighted sum of several models' scores, e.g. general + page-local evidence."""

    models: tuple[ContinuityModel, ...]
    weights: tuple[float, ...]

    def __post_init__(self) -> None:
        if len(self.models) != len(self.weights):
            raise ValueError("one weight per model")

    def continuity_batch(self, lefts: Sequence[str], rights: Sequence[str]) -> FloatArray:
        total = np.zeros(len(lefts), dtype=np.float64)
        for model, weight in zip(self.models, self.weights, strict=True):
            total += weight * np.asarray(model.continuity_batch(lefts, rights), dtype=np.float64)
        return total
