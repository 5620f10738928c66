"""Learned pair scores over named features: logistic models and the loader for all kinds.

A linear model on standardised features is deliberately simple: it ships as
a small JSON file (no pickles, no version lock-in to scikit-learn), predicts
with one matrix product, and every prediction decomposes exactly into
per-feature contributions, which is what :func:`explain` reports. The
splice-cut, pruning and chain stages use it; the link stage uses boosted
trees (:mod:`newsdeinterleave.boosting`) with the same interface.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from newsdeinterleave.boosting import BoostedLinkModel

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class LinkModel:
    names: list[str]
    families: list[str]
    mean: FloatArray
    scale: FloatArray
    coef: FloatArray
    intercept: float
    meta: dict[str, object]

    @classmethod
    def fit(
        cls,
        matrix: FloatArray,
        labels: NDArray[np.int64],
        names: list[str],
        families: list[str],
        *,
        c: float = 1.0,
        seed: int = 0,
        meta: dict[str, object] | None = None,
        sample_weight: FloatArray | None = None,
    ) -> LinkModel:
        from sklearn.linear_model import LogisticRegression

        mean = matrix.mean(axis=0)
        scale = matrix.std(axis=0)
        scale[scale < 1e-9] = 1.0
        z = (matrix - mean) / scale
        clf = LogisticRegression(C=c, max_iter=2000, random_state=seed)
        clf.fit(z, labels, sample_weight=sample_weight)
        return cls(
            names=list(names),
            families=list(families),
            mean=mean,
            scale=scale,
            coef=clf.coef_[0].astype(np.float64),
            intercept=float(clf.intercept_[0]),
            meta=dict(meta or {}),
        )

    def contributions(self, matrix: FloatArray) -> FloatArray:
        """Per-feature additive contributions to the log-odds (rows: pairs)."""
        return ((matrix - self.mean) / self.scale) * self.coef

    def log_odds(self, matrix: FloatArray) -> FloatArray:
        if matrix.shape[0] == 0:
            return np.zeros(0)
        weights = self.coef / self.scale
        z = matrix @ weights + (self.intercept - float(self.mean @ weights))
        return np.asarray(z, dtype=np.float64)

    def check_features(self, names: list[str]) -> None:
        if names != self.names:
            raise ValueError(
                "feature mismatch between page and model: "
                f"model has {self.names}, page computed {names}"
            )

    def to_json(self) -> str:
        return json.dumps(
            {
                "names": self.names,
                "families": self.families,
                "mean": self.mean.tolist(),
                "scale": self.scale.tolist(),
                "coef": self.coef.tolist(),
                "intercept": self.intercept,
                "meta": self.meta,
            },
            indent=1,
            ensure_ascii=False,
        )

    @classmethod
    def from_json(cls, data: str) -> LinkModel:
        raw = json.loads(data)
        return cls(
            names=list(raw["names"]),
            families=list(raw["families"]),
            mean=np.asarray(raw["mean"], dtype=np.float64),
            scale=np.asarray(raw["scale"], dtype=np.float64),
            coef=np.asarray(raw["coef"], dtype=np.float64),
            intercept=float(raw["intercept"]),
            meta=dict(raw.get("meta", {})),
        )


Scorer = LinkModel | BoostedLinkModel


def decision_bar(model: Scorer) -> float:
    """The log-odds bar the model was fitted to decide at (0, even odds, if it carries none)."""
    return float(model.meta.get("threshold", 0.0))  # type: ignore[arg-type]


def model_from_json(data: str) -> Scorer:
    """Either kind of shipped link model, told apart by the JSON's ``kind``."""
    if json.loads(data).get("kind") == "boosted":
        return BoostedLinkModel.from_json(data)
    return LinkModel.from_json(data)


def probability(log_odds: NDArray[np.float64]) -> NDArray[np.float64]:
    """Log-odds to probabilities, clipped so that extreme scores never overflow ``exp``."""
    return 1.0 / (1.0 + np.exp(-np.clip(log_odds, -50, 50)))


def model_filename(kind: str, language: str, disabled: frozenset[str] = frozenset()) -> str:
    suffix = "".join(f"-no_{d}" for d in sorted(disabled))
    return f"{kind}-{language}{suffix}.json"


def load_shipped(kind: str, language: str, disabled: frozenset[str] = frozenset()) -> str | None:
    """JSON text of a model shipped in ``newsdeinterleave/data``, or None if absent."""
    ref = resources.files("newsdeinterleave") / "data" / model_filename(kind, language, disabled)
    try:
        return ref.read_text(encoding="utf-8")
    except (FileNotFoundError, OSError):
        return None


def save(model_json: str, directory: Path, filename: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / filename
    path.write_text(model_json, encoding="utf-8")
    return path
