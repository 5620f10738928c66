"""The public entry point: ``deinterleave(page_text) -> Page``."""

from __future__ import annotations

from collections.abc import Iterable

from newsdeinterleave.assembly import ArticlePlan, Piece, build_page
from newsdeinterleave.models import Page
from newsdeinterleave.segmentation import split_chunks
from newsdeinterleave.text import detect_language

__version__ = "0.1.0"

FEATURE_FAMILIES = ("length", "punctuation", "lm", "page_lm", "topic")
# Above this many characters a page is returned in input order (one article) with a
# warning: the full engine's cost is bounded by BLOCK_CHUNKS-sized blocks, but a
# multi-megabyte "page" is almost always a whole book or a concatenated corpus.
MAX_CHARS = 2_000_000


def deinterleave(
    page_text: str,
    *,
    language: str | None = None,
    disable: Iterable[str] = (),
    method: str = "full",
) -> Page:
    """Rebuild the articles of one interleaved page.

    ``disable`` switches feature families off (for ablations); ``method`` is
    ``"full"`` or one of the baselines ``"noop"`` (input order, one article).
    """
    if not isinstance(page_text, str):
        raise TypeError(
            f"deinterleave() takes str, not {type(page_text).__name__}; "
            "decode bytes first, e.g. data.decode('utf-8')"
        )
    unknown = set(disable) - set(FEATURE_FAMILIES)
    if unknown:
        raise ValueError(f"unknown feature families {sorted(unknown)}; known: {FEATURE_FAMILIES}")
    lang = language or detect_language(page_text)
    chunks = split_chunks(page_text)
    plans: list[ArticlePlan] = []
    unassigned: list[tuple[int, int]] = []
    warnings: list[str] = []
    fragment_count = len(chunks)
    if not chunks:
        pass
    elif method == "full" and len(page_text) > MAX_CHARS:
        warnings.append(
            f"page has {len(page_text)} characters, above the limit of {MAX_CHARS}: "
            "returned in input order as one article (method='noop')"
        )
        pieces = [Piece(c.start, c.end, "body", para=i == 0) for i, c in enumerate(chunks)]
        plans.append(ArticlePlan(pieces=pieces, confidence=0.0))
    elif method == "noop":
        pieces = [Piece(c.start, c.end, "body", para=i == 0) for i, c in enumerate(chunks)]
        plans.append(ArticlePlan(pieces=pieces, confidence=0.0))
    elif method == "greedy":
        from newsdeinterleave.baselines import greedy_plans

        plans = greedy_plans(page_text, chunks)
    elif method == "full":
        from newsdeinterleave.pipeline import reconstruct

        plans, unassigned, warnings, fragment_count = reconstruct(
            page_text, chunks, lang, set(disable)
        )
    else:
        raise ValueError(f"unknown method {method!r}; use 'full', 'greedy' or 'noop'")
    return build_page(
        page_text,
        plans,
        unassigned,
        language=lang,
        fragment_count=fragment_count,
        warnings=warnings,
        version=__version__,
    )
