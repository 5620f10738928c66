"""What each fragment is: kicker, title, subtitle, byline, heading, body, caption, credit.

Roles show in form more than in words: a title stands alone on its line and
ends without punctuation, a kicker ends with a colon, a reporter credit is a
bracketed list of short names, a photo credit ends in 摄 or starts "Photo".
A multinomial logistic model over such form features is fitted on training
pages like the link model and ships as JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import regex
from numpy.typing import NDArray

from newsdeinterleave.features import FragmentTable
from newsdeinterleave.models import ROLES, Role
from newsdeinterleave.punctuation import CLAUSE_END, SENTENCE_END

FloatArray = NDArray[np.float64]

_NAME_LIST = regex.compile(r"^[(（]?[\p{Han}·\s]{2,40}[)）]?$")
_HAN = regex.compile(r"\p{Han}")
_PHOTO = regex.compile(r"(摄|供图|图片|Photo|PHOTO|photo|Picture|Credit)")

ROLE_FEATURES = [
    "bias",
    "log_width",
    "rel",
    "single",
    "first",
    "last",
    "line_chunks",
    "ends_colon",
    "ends_sentence",
    "ends_clause",
    "has_clause_punct",
    "starts_dot",
    "bracketed",
    "photo",
    "name_list",
    "digits",
    "upper_ratio",
    "han_ratio",
    "prev_blank_line",
    "next_single",
    "prev_single",
]


def role_features(table: FragmentTable, line_chunks: NDArray[np.int64]) -> FloatArray:
    """One row per fragment; form only, no vocabulary, so it carries over to unseen papers."""
    rows: list[list[float]] = []
    n = table.size
    rel = table.rel
    single = table.single
    for k, t in enumerate(table.texts):
        letters = [c for c in t if c.isalpha()]
        upper = sum(c.isupper() for c in letters) / max(len(letters), 1)
        han = len(_HAN.findall(t)) / max(len(t), 1)
        rows.append(
            [
                1.0,
                float(np.log1p(table.width[k])),
                float(min(rel[k], 1.5)),
                float(single[k]),
                float(table.first[k]),
                float(table.last[k]),
                float(np.log1p(line_chunks[k])),
                float(t[-1] in ":："),
                float(t[-1] in SENTENCE_END or t.rstrip("\"”’')）")[-1:] in SENTENCE_END),
                float(t[-1] in CLAUSE_END),
                float(any(c in CLAUSE_END or c in SENTENCE_END for c in t[:-1])),
                float(t[0] in "·—-•"),
                float(t[0] in "(（" and t[-1] in ")）"),
                float(bool(_PHOTO.search(t))),
                float(bool(_NAME_LIST.match(t)) and len(t) <= 24),
                float(sum(c.isdigit() for c in t) / max(len(t), 1)),
                float(upper),
                float(han),
                float(k > 0 and table.line[k] != table.line[k - 1]),
                float(k + 1 < n and single[k + 1]),
                float(k > 0 and single[k - 1]),
            ]
        )
    return np.asarray(rows, dtype=np.float64).reshape(n, len(ROLE_FEATURES))


@dataclass(frozen=True)
class RoleModel:
    roles: list[Role]
    mean: FloatArray
    scale: FloatArray
    coef: FloatArray  # (roles, features)
    intercept: FloatArray

    @classmethod
    def fit(cls, matrix: FloatArray, labels: list[Role], seed: int = 0) -> RoleModel:
        from sklearn.linear_model import LogisticRegression

        mean = matrix.mean(axis=0)
        scale = matrix.std(axis=0)
        scale[scale < 1e-9] = 1.0
        # Unweighted on purpose: balancing the classes makes every long body line a
        # "title" candidate, and a wrong title costs more than a missed one.
        clf = LogisticRegression(max_iter=3000, C=1.0, random_state=seed)
        clf.fit((matrix - mean) / scale, labels)
        return cls(
            roles=[r for r in clf.classes_.tolist()],
            mean=mean,
            scale=scale,
            coef=clf.coef_.astype(np.float64),
            intercept=clf.intercept_.astype(np.float64),
        )

    def probabilities(self, matrix: FloatArray) -> FloatArray:
        z = ((matrix - self.mean) / self.scale) @ self.coef.T + self.intercept
        if len(self.roles) == 2:  # binary sklearn models have one row
            z = np.column_stack([-z[:, 0], z[:, 0]])
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return np.asarray(p / p.sum(axis=1, keepdims=True), dtype=np.float64)

    def predict(self, matrix: FloatArray) -> list[Role]:
        if matrix.shape[0] == 0:
            return []
        idx = self.probabilities(matrix).argmax(axis=1)
        return [self.roles[i] for i in idx.tolist()]

    def to_json(self) -> str:
        return json.dumps(
            {
                "features": ROLE_FEATURES,
                "roles": self.roles,
                "mean": self.mean.tolist(),
                "scale": self.scale.tolist(),
                "coef": self.coef.tolist(),
                "intercept": self.intercept.tolist(),
            },
            indent=1,
        )

    @classmethod
    def from_json(cls, data: str) -> RoleModel:
        raw = json.loads(data)
        if raw["features"] != ROLE_FEATURES:
            raise ValueError("role model was trained on other features; retrain it")
        roles: list[Role] = [r for r in raw["roles"] if r in ROLES]
        return cls(
            roles=roles,
            mean=np.asarray(raw["mean"]),
            scale=np.asarray(raw["scale"]),
            coef=np.asarray(raw["coef"]),
            intercept=np.asarray(raw["intercept"]),
        )


def heuristic_roles(table: FragmentTable) -> list[Role]:
    """Fallback when no role model ships: everything is body."""
    return ["body"] * table.size
