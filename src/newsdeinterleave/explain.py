"""Say why two fragments were (or were not) joined, feature by feature.

A join's log-odds is exactly the intercept plus one contribution per
feature (for the boosted link model: the change of each tree's value at the
splits on that feature along the row's path); grouping them by family tells
a user whether layout, punctuation or language carried the decision.
"""

from __future__ import annotations

from collections.abc import Collection

import numpy as np
from pydantic import BaseModel, ConfigDict

from newsdeinterleave.engine import make_fragments, page_chunks, page_graph
from newsdeinterleave.text import detect_language


class FeatureContribution(BaseModel):
    model_config = ConfigDict(frozen=True)

    name: str
    family: str
    value: float
    contribution: float


class JoinExplanation(BaseModel):
    model_config = ConfigDict(frozen=True)

    left: str
    right: str
    left_index: int
    right_index: int
    considered: bool
    joined: bool
    probability: float
    log_odds: float
    by_family: dict[str, float]
    features: list[FeatureContribution]
    chosen_successor: str | None
    summary: str


def fragment_at(page_text: str, offset: int, language: str | None = None) -> int:
    """Index of the fragment holding character ``offset`` (as the engine cuts the page)."""
    lang = language or detect_language(page_text)
    for frag in make_fragments(page_text, page_chunks(page_text, lang), lang):
        if frag.start <= offset < frag.end:
            return frag.index
    raise ValueError(f"offset {offset} is whitespace or outside the page")


def explain(
    page_text: str,
    left: int,
    right: int,
    *,
    language: str | None = None,
    disable: Collection[str] = (),
) -> JoinExplanation:
    """Why fragment ``right`` does or does not follow fragment ``left`` (fragment indices)."""
    lang = language or detect_language(page_text)
    graph, _ = page_graph(page_text, page_chunks(page_text, lang), lang, disable)
    fragments = graph.fragments
    n = len(fragments)
    if not (0 <= left < n and 0 <= right < n):
        raise IndexError(f"fragment indices must be in 0..{n - 1}")
    succ = int(graph.successor[left])
    chosen = fragments[succ].text if succ >= 0 else None
    hit = np.flatnonzero((graph.ii == left) & (graph.jj == right))
    unscored = JoinExplanation(
        left=fragments[left].text,
        right=fragments[right].text,
        left_index=left,
        right_index=right,
        chosen_successor=chosen,
        considered=False,
        joined=False,
        probability=0.0,
        log_odds=float("-inf"),
        by_family={},
        features=[],
        summary="not a candidate: outside the link window, or not among the candidates the cheap "
        "first stage keeps for either fragment"
        if graph.model is not None
        else "no trained model: input order kept",
    )
    if not len(hit) or graph.model is None:
        return unscored
    k = int(hit[0])
    row = graph.features.matrix[k : k + 1]
    contrib = graph.model.contributions(row)[0]
    log_odds = float(graph.log_odds[k])
    feats = sorted(
        (
            FeatureContribution(name=nm, family=fam, value=float(v), contribution=float(c))
            for nm, fam, v, c in zip(
                graph.features.names, graph.features.families, row[0], contrib, strict=True
            )
        ),
        key=lambda fc: -abs(fc.contribution),
    )
    by_family: dict[str, float] = {"intercept": graph.model.intercept}
    for fc in feats:
        by_family[fc.family] = by_family.get(fc.family, 0.0) + fc.contribution
    joined = succ == right
    top = ", ".join(f"{fc.name} {fc.contribution:+.2f}" for fc in feats[:3])
    verdict = "joined" if joined else f"not joined (chose {chosen!r})" if chosen else "not joined"
    return unscored.model_copy(
        update={
            "considered": True,
            "joined": joined,
            "probability": float(1 / (1 + np.exp(-log_odds))),
            "log_odds": log_odds,
            "by_family": by_family,
            "features": feats,
            "summary": f"{verdict}: log-odds {log_odds:+.2f}; strongest evidence: {top}",
        }
    )
