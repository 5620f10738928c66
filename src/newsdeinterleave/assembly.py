"""Turn decided article plans into the public :class:`Page`, and prove losslessness.

The engine hands over, per article, an ordered list of :class:`Piece`
(a span of the input plus its role). This module derives every Article field
from those pieces, so field text and provenance can never disagree, and
:func:`verify_lossless` checks the invariant the library promises.
"""

from __future__ import annotations

from dataclasses import dataclass

from newsdeinterleave.models import Article, Block, Page, Role, Span
from newsdeinterleave.text import join_pieces


@dataclass(frozen=True, slots=True)
class Piece:
    """A run of input text that stays contiguous in an article."""

    start: int
    end: int
    role: Role = "body"
    para: bool = False
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class ArticlePlan:
    pieces: list[Piece]
    confidence: float


def _blocks(text: str, pieces: list[Piece]) -> list[Block]:
    """Group consecutive pieces of one role into blocks; a ``para`` piece starts a new one."""
    blocks: list[Block] = []
    current: list[Piece] = []

    def flush() -> None:
        if current:
            blocks.append(
                Block(
                    role=current[0].role,
                    text=join_pieces([text[p.start : p.end] for p in current]),
                    spans=[Span(start=p.start, end=p.end) for p in current],
                    confidence=min(p.confidence for p in current),
                )
            )
            current.clear()

    for piece in pieces:
        if current and (piece.role != current[0].role or piece.para):
            flush()
        current.append(piece)
    flush()
    return blocks


def build_article(text: str, article_id: str, plan: ArticlePlan) -> Article:
    blocks = _blocks(text, plan.pieces)

    def first(role: Role) -> str | None:
        return next((b.text for b in blocks if b.role == role), None)

    def every(*roles: Role) -> list[str]:
        return [b.text for b in blocks if b.role in roles]

    return Article(
        id=article_id,
        kicker=first("kicker"),
        title=first("title"),
        subtitle=first("subtitle"),
        byline=first("byline"),
        headings=every("heading"),
        paragraphs=every("body", "other"),
        captions=every("caption"),
        credits=every("credit"),
        blocks=blocks,
        spans=[Span(start=p.start, end=p.end) for p in plan.pieces],
        confidence=max(0.0, min(1.0, plan.confidence)),
    )


def build_page(
    text: str,
    plans: list[ArticlePlan],
    unassigned: list[tuple[int, int]],
    *,
    language: str,
    fragment_count: int,
    warnings: list[str],
    version: str,
) -> Page:
    """Assemble and verify; articles are numbered in order of their first character."""
    plans = [p for p in plans if p.pieces]
    plans.sort(key=lambda p: min(piece.start for piece in p.pieces))
    articles = [build_article(text, f"a{i + 1:02d}", plan) for i, plan in enumerate(plans)]
    page = Page(
        articles=articles,
        unassigned=[Span(start=s, end=e) for s, e in sorted(unassigned)],
        language=language,
        fragment_count=fragment_count,
        text_length=len(text),
        warnings=warnings,
        version=version,
    )
    verify_lossless(text, page)
    return page


class LosslessError(AssertionError):
    """Raised when a result would drop or duplicate input characters (a library bug)."""


def verify_lossless(text: str, page: Page) -> None:
    """Every non-whitespace character in exactly one article span or unassigned span."""
    n = len(text)
    owner = bytearray(n)
    all_spans = [s for a in page.articles for s in a.spans] + list(page.unassigned)
    for span in all_spans:
        if span.end > n:
            raise LosslessError(f"span {span.start}-{span.end} runs past the text ({n})")
        for i in range(span.start, span.end):
            if owner[i]:
                raise LosslessError(f"character {i} is claimed twice")
            owner[i] = 1
    for i, ch in enumerate(text):
        if not owner[i] and not ch.isspace():
            raise LosslessError(f"character {i} ({ch!r}) is in no article and not unassigned")
