"""What each fragment is: kicker, title, subtitle, byline, heading, body, caption, credit.

Roles show in form more than in words: a title stands alone on its line and
ends without punctuation, a kicker ends with a colon, a reporter credit is a
bracketed list of short names, a photo credit ends in 摄 or starts "Photo".
Boosted trees over such form features, the form of the fragment's block
(blank lines around it, how many lines it has, whether it ends a sentence)
and of its neighbours are fitted on training pages like the link model and
ship as JSON. Form alone mistakes a short title set among another story's
lines for body text; the links say what form cannot: nothing reads on into a
title (its best incoming link is weak) while every body line continues one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import regex
from numpy.typing import NDArray

from newsdeinterleave.boosting import BoostedLinkModel, boosted_classifier
from newsdeinterleave.features import FragmentTable
from newsdeinterleave.models import ROLES, Role
from newsdeinterleave.punctuation import CLAUSE_END, SENTENCE_END

FloatArray = NDArray[np.float64]

_NAME_LIST = regex.compile(r"^[(（]?[\p{Han}·\s]{2,40}[)）]?$")
_HAN = regex.compile(r"\p{Han}")
_PHOTO = regex.compile(r"(摄|供图|图片|Photo|PHOTO|photo|Picture|Credit)")

FORM_FEATURES = [
    "log_width",
    "rel",
    "page_rel",
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
    "blank_before",
    "blank_after",
    "block_lines",
    "block_line_index",
    "block_ends_sentence",
    "capital_words",
    "starts_lower",
]
# Neighbours' form tells a title (a short unpunctuated block before long prose)
# from the same words inside a paragraph.
CONTEXT_FEATURES = [
    "log_width",
    "rel",
    "single",
    "ends_sentence",
    "ends_colon",
    "han_ratio",
    "bracketed",
    "name_list",
    "blank_before",
    "block_lines",
    "upper_ratio",
    "capital_words",
    "starts_lower",
]
CONTEXT_OFFSETS = (-2, -1, 1, 2)
ROLE_FEATURES = (
    FORM_FEATURES
    + [f"{name}@{d:+d}" for d in CONTEXT_OFFSETS for name in CONTEXT_FEATURES]
    + ["position"]
)
# Link evidence per fragment: the best log-odds of any candidate link into and out of
# it, and of the links the decoder chose (LINK_FLOOR where it chose none).
LINK_FEATURES = ["best_link_in", "best_link_out", "chosen_link_in", "chosen_link_out"]
LINK_FLOOR = -20.0
ALL_FEATURES = ROLE_FEATURES + LINK_FEATURES
# Role models of these languages also read the link evidence. Chosen on the dev pages:
# zh-dev titles 219 -> 240 (B-cubed F1 73.62 -> 73.65, broken joins 67.7 -> 67.5 %); on
# en-dev it cost whole articles (perfect 52 -> 41, pymupdf pages 47 -> 35; F1 65.0 -> 64.2).
LINK_ROLE_LANGUAGES = frozenset({"zh"})


def link_evidence(
    n: int,
    ii: NDArray[np.int64],
    jj: NDArray[np.int64],
    log_odds: FloatArray,
    successor: NDArray[np.int64],
) -> FloatArray:
    """The :data:`LINK_FEATURES` columns for ``n`` fragments from a scored, decoded link graph."""
    out = np.full((n, len(LINK_FEATURES)), LINK_FLOOR)
    if not len(ii):
        return out
    scores = np.clip(log_odds, LINK_FLOOR, -LINK_FLOOR)
    np.maximum.at(out[:, 0], jj, scores)
    np.maximum.at(out[:, 1], ii, scores)
    chosen = successor[ii] == jj
    out[jj[chosen], 2] = scores[chosen]
    out[ii[chosen], 3] = scores[chosen]
    return out


def _capital_words(text: str) -> float:
    """The share of a fragment's cased words that start with a capital.

    An English headline is set in title case or capitals ("Dollar Opens Lower
    In New York") where a body line capitalises a name or two; scripts
    without case give 0.
    """
    cased = [w for w in text.split() if any(c.isupper() or c.islower() for c in w)]
    if not cased:
        return 0.0
    first = [next(c for c in w if c.isupper() or c.islower()) for w in cased]
    return sum(c.isupper() for c in first) / len(cased)


def _blocks(
    table: FragmentTable,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, NDArray[np.int64]]:
    """Per fragment: blank line before / after its line, its block's size and its place in it.

    A block is a run of lines with no blank line between them: extractors put
    blank lines around paragraphs, titles and captions alike.
    """
    if not table.size:
        empty = np.zeros(0)
        return empty, empty, empty, empty, np.zeros(0, dtype=np.int64)
    blank_before = table.blank_before
    gap_before = np.zeros(int(table.line.max()) + 1, dtype=bool)
    gap_before[table.line] = blank_before
    block = np.cumsum(gap_before) - 1
    size = np.bincount(block).astype(np.float64)
    starts = np.flatnonzero(gap_before)
    place = np.arange(len(gap_before)) - starts[block]
    index = table.line
    return (
        blank_before.astype(np.float64),
        table.blank_after.astype(np.float64),
        np.log1p(size[block][index]),
        np.minimum(place[index], 5).astype(np.float64),
        np.asarray(block[index], dtype=np.int64),
    )


def role_features(table: FragmentTable, links: FloatArray | None = None) -> FloatArray:
    """One row per fragment: its form, its block's and its neighbours' (no vocabulary).

    With ``links`` (the :func:`link_evidence` columns) the row ends with them.
    """
    n = table.size
    line_chunks = np.bincount(table.line)[table.line] if n else np.zeros(0, dtype=np.int64)
    blank_before, blank_after, block_lines, block_place, block_id = _blocks(table)
    # Does the block a fragment belongs to end with a sentence end?
    last_in_block = np.zeros(int(block_id.max()) + 1 if n else 0, dtype=np.int64)
    np.maximum.at(last_in_block, block_id, np.arange(n))
    last_of_block = table.end_sentence[last_in_block]
    page_median = float(np.median(table.width)) if n else 1.0
    rows: list[list[float]] = []
    for k, t in enumerate(table.texts):
        letters = [c for c in t if c.isalpha()]
        rows.append(
            [
                float(np.log1p(table.width[k])),
                float(min(table.rel[k], 1.5)),
                float(min(table.width[k] / max(page_median, 1.0), 3.0)),
                float(table.single[k]),
                float(table.first[k]),
                float(table.last[k]),
                float(np.log1p(line_chunks[k])),
                float(t[-1] in ":："),
                float(t[-1] in SENTENCE_END or t.rstrip("\"”’')）")[-1:] in SENTENCE_END),
                float(t[-1] in CLAUSE_END),
                float(any(c in CLAUSE_END or c in SENTENCE_END for c in t[:-1])),
                float(t[0] in "·—-•▲"),
                float(t[0] in "(（" and t[-1] in ")）"),
                float(bool(_PHOTO.search(t))),
                float(bool(_NAME_LIST.match(t)) and len(t) <= 24),
                float(sum(c.isdigit() for c in t) / max(len(t), 1)),
                float(sum(c.isupper() for c in letters) / max(len(letters), 1)),
                float(len(_HAN.findall(t)) / max(len(t), 1)),
                float(blank_before[k]),
                float(blank_after[k]),
                float(block_lines[k]),
                float(block_place[k]),
                float(last_of_block[block_id[k]]),
                _capital_words(t),
                float(bool(letters) and letters[0].islower()),
            ]
        )
    form = np.asarray(rows, dtype=np.float64).reshape(n, len(FORM_FEATURES))
    picked = form[:, [FORM_FEATURES.index(c) for c in CONTEXT_FEATURES]]
    shifted = []
    for d in CONTEXT_OFFSETS:
        out = np.full_like(picked, -1.0)  # -1: no such neighbour
        if d < 0 and n > -d:
            out[-d:] = picked[:d]
        elif d > 0 and n > d:
            out[:-d] = picked[d:]
        shifted.append(out)
    position = (np.arange(n) / max(n - 1, 1))[:, None]
    parts = [form, *shifted, position]
    if links is not None:
        parts.append(links.reshape(n, len(LINK_FEATURES)))
    return np.hstack(parts)


@dataclass(frozen=True)
class RoleModel:
    """One boosted score per role; a fragment takes the role whose softmax is highest."""

    roles: list[Role]
    scores: list[BoostedLinkModel]
    features: list[str]

    @property
    def reads_links(self) -> bool:
        return self.features[-len(LINK_FEATURES) :] == LINK_FEATURES

    @classmethod
    def fit(
        cls,
        matrix: FloatArray,
        labels: list[Role],
        seed: int = 0,
        *,
        links: bool = False,
        features: list[str] | None = None,
    ) -> RoleModel:
        """Fit on :func:`role_features` rows; ``features`` names a subset of columns to read."""
        names = (
            features if features is not None else ROLE_FEATURES + (LINK_FEATURES if links else [])
        )
        matrix = matrix[:, [ALL_FEATURES.index(name) for name in names]]
        # Unweighted on purpose: balancing the classes makes every long body line a
        # "title" candidate, and a wrong title costs more than a missed one.
        clf = boosted_classifier(seed)
        clf.fit(matrix, labels)
        roles: list[Role] = [r for r in clf.classes_.tolist()]
        features = list(names)
        baseline = np.ravel(clf._baseline_prediction)
        per_class = len(clf._predictors[0])
        scores = [
            BoostedLinkModel.from_nodes(
                [stage[c].nodes for stage in clf._predictors],
                float(baseline[c]),
                features,
                ["role"] * len(features),
                {"role": roles[c + (len(roles) - per_class)]},
            )
            for c in range(per_class)
        ]
        return cls(roles=roles, scores=scores, features=features)

    def probabilities(self, matrix: FloatArray) -> FloatArray:
        """Role probabilities of :func:`role_features` rows (the model picks its columns)."""
        columns = [ALL_FEATURES.index(name) for name in self.features]
        if columns != list(range(len(columns))):
            matrix = matrix[:, columns]
        z = np.column_stack([m.log_odds(matrix) for m in self.scores])
        if len(self.roles) == 2:  # a binary model scores only the second class
            z = np.column_stack([np.zeros(len(z)), z[:, 0]])
        z -= z.max(axis=1, keepdims=True)
        p = np.exp(z)
        return np.asarray(p / p.sum(axis=1, keepdims=True), dtype=np.float64)

    def predict(self, matrix: FloatArray) -> list[Role]:
        return self.predict_with_probability(matrix)[0]

    def predict_with_probability(self, matrix: FloatArray) -> tuple[list[Role], FloatArray]:
        """Each row's most likely role and its probability (how sure the model is)."""
        if matrix.shape[0] == 0:
            return [], np.zeros(0)
        probability = self.probabilities(matrix)
        best = probability.argmax(axis=1)
        return [self.roles[i] for i in best.tolist()], probability.max(axis=1)

    def to_json(self) -> str:
        return json.dumps(
            {
                "kind": "boosted-roles",
                "features": self.features,
                "roles": self.roles,
                "scores": [json.loads(m.to_json()) for m in self.scores],
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, data: str) -> RoleModel:
        raw = json.loads(data)
        features = raw.get("features")
        # A model fitted before features were added names a subset of today's columns.
        known = isinstance(features, list) and set(features) <= set(ALL_FEATURES)
        if not known or raw.get("kind") != "boosted-roles":
            raise ValueError("role model was trained on other features; retrain it")
        roles: list[Role] = [r for r in raw["roles"] if r in ROLES]
        scores = [BoostedLinkModel.from_json(json.dumps(m)) for m in raw["scores"]]
        return cls(roles=roles, scores=scores, features=list(features))


def heuristic_roles(table: FragmentTable) -> list[Role]:
    """Fallback when no role model ships: everything is body."""
    return ["body"] * table.size
