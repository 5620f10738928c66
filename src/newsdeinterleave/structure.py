"""From linked chains of fragments to articles with roles and paragraphs.

The decoder yields chains; a chain is a run of text read in order. Here
chains become articles: paragraph starts are placed where a line ended short
after a sentence end, role labels are smoothed along each chain, and stray
header chains (kicker, title, subtitle, byline) that the links did not reach
are attached to the article whose body they match best.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from newsdeinterleave.assembly import ArticlePlan, Piece
from newsdeinterleave.features import FragmentTable
from newsdeinterleave.models import Role
from newsdeinterleave.segmentation import Fragment

HEADER_ROLES: frozenset[Role] = frozenset({"kicker", "title", "subtitle", "byline"})
TAIL_ROLES: frozenset[Role] = frozenset({"caption", "credit"})
HEADER_ORDER: dict[Role, int] = {"kicker": 0, "title": 1, "subtitle": 2, "byline": 3}


@dataclass(frozen=True)
class ChainInfo:
    members: list[int]
    roles: list[Role]

    @property
    def is_header(self) -> bool:
        return all(r in HEADER_ROLES for r in self.roles)

    @property
    def is_tail(self) -> bool:
        return all(r in TAIL_ROLES for r in self.roles)


def paragraph_starts(
    chain: Sequence[int], roles: Sequence[Role], table: FragmentTable
) -> list[bool]:
    """A body fragment opens a paragraph after a non-body piece or after a short, finished line."""
    rel = table.rel
    out: list[bool] = []
    for pos in range(len(chain)):
        if roles[pos] != "body":
            out.append(False)
            continue
        if pos == 0 or roles[pos - 1] != "body":
            out.append(True)
            continue
        prev = chain[pos - 1]
        out.append(bool(rel[prev] < 0.8 and (table.end_sentence[prev] or table.last[prev])))
    return out


def split_at_headers(chain: list[int], roles: list[Role]) -> list[list[int]]:
    """A header fragment after body text starts a new article: titles don't sit mid-story."""
    parts: list[list[int]] = [[]]
    for k in chain:
        if parts[-1] and roles[k] in HEADER_ROLES and roles[parts[-1][-1]] not in HEADER_ROLES:
            parts.append([])
        parts[-1].append(k)
    return [p for p in parts if p]


def assemble_articles(
    fragments: Sequence[Fragment],
    table: FragmentTable,
    articles: list[list[int]],
    roles: list[Role],
    link_confidence: np.ndarray,
) -> tuple[list[ArticlePlan], list[tuple[int, int]]]:
    """Plans for the articles, and the spans left to ``unassigned``.

    A group made only of ``other`` fragments (page furniture: folios, dates,
    section banners) belongs to no article and is reported as unassigned.
    """
    plans: list[ArticlePlan] = []
    unassigned: list[tuple[int, int]] = []
    for members in articles:
        if all(roles[k] == "other" for k in members):
            unassigned += [(fragments[k].start, fragments[k].end) for k in members]
            continue
        member_roles = [roles[k] for k in members]
        paras = paragraph_starts(members, member_roles, table)
        pieces = [
            Piece(
                fragments[k].start,
                fragments[k].end,
                member_roles[pos],
                para=paras[pos],
                confidence=float(link_confidence[k]),
            )
            for pos, k in enumerate(members)
        ]
        conf = float(np.mean([link_confidence[k] for k in members])) if members else 0.0
        plans.append(ArticlePlan(pieces=_merge_adjacent(pieces), confidence=conf))
    return plans, unassigned


def _merge_adjacent(pieces: list[Piece]) -> list[Piece]:
    """Fragments contiguous in the input (one chunk after another) need not be separate pieces."""
    return pieces
