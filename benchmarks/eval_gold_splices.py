"""What the splice stage could still win: the whole engine run on the gold splices.

    python -m benchmarks.eval_gold_splices [--languages en zh] [--split dev] [--limit N]

``eval_splices`` says how many splices the splice models find; it cannot say
what a better splice stage would be worth, because the links, stories and
order above it decide what each cut is made of. This runs ``deinterleave``
twice on every page: as shipped, and with the splice decision replaced by the
gold one (a cut exactly where the gold reading order does not run straight
across a within-line gap; gaps the gold leaves unknown are not cut). The gap
between the two rows is an upper bound on what any splice model could add with
the later models as they are (they were fitted on the shipped splicer's
fragments, so on some extractors gold cuts can even score lower).
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from unittest import mock

import numpy as np

from benchmarks.eval_splices import PAGES, page_extractors, page_set_arguments
from newsdeinterleave import deinterleave, engine
from newsdeinterleave.engine import page_chunks
from newsdeinterleave.evaluation import GoldPage, load_gold, score_page
from newsdeinterleave.labels import UNKNOWN, next_char_map
from newsdeinterleave.models import Page
from newsdeinterleave.segmentation import Chunk
from newsdeinterleave.splicing import line_gaps
from newsdeinterleave.training import training_pages

MODES = ("shipped", "gold splices")
COUNTS = ("broken_kept", "broken_total", "joins_kept", "joins_total", "articles_perfect")


def gold_breaks(gold: GoldPage, text: str) -> set[int]:
    """Where the gold reading order leaves a line: the start offsets of the chunks to cut before.

    Offsets, not chunk indices, since the engine renumbers the chunks of each
    block of a large page.
    """
    chunks = page_chunks(text, gold.language)
    gaps = line_gaps(chunks)
    if not len(gaps.right):
        return set()
    nxt = next_char_map(text, [[(p.start, p.end) for p in a.pieces] for a in gold.articles])
    last = np.array([chunks[k].end - 1 for k in gaps.left.tolist()], dtype=np.int64)
    first = np.array([chunks[k].start for k in gaps.right.tolist()], dtype=np.int64)
    target = nxt[last]
    return set(first[(target != first) & (target != UNKNOWN)].tolist())


@contextmanager
def splices_at(breaks: set[int]) -> Iterator[None]:
    """Inside, the engine cuts exactly before the chunks starting at the offsets ``breaks``."""

    def fixed(text: str, chunks: Sequence[Chunk], *args: object, **kwargs: object) -> set[int]:
        return {c.index for c in chunks if c.start in breaks and not c.first_in_line}

    with mock.patch.object(engine, "predict_breaks", fixed):
        yield


def deinterleave_with_breaks(text: str, language: str, breaks: set[int]) -> Page:
    """``deinterleave`` with the splice decision replaced by :func:`splices_at` ``breaks``."""
    with splices_at(breaks):
        return deinterleave(text, language=language)


def evaluate(
    language: str, split: str, limit: int | None = None
) -> dict[str, dict[str, Counter[str]]]:
    """Summed score counts per mode, per extractor and over all pages (``ALL``)."""
    extractor = page_extractors()
    counts: dict[str, dict[str, Counter[str]]] = {m: defaultdict(Counter) for m in MODES}
    for path in list(training_pages(PAGES, language, split))[:limit]:
        gold, text = load_gold(path)
        scores = {"shipped": score_page(gold, text, deinterleave(text, language=gold.language))}
        result = deinterleave_with_breaks(text, gold.language, gold_breaks(gold, text))
        scores["gold splices"] = score_page(gold, text, result)
        name = extractor[str(path.relative_to(PAGES).with_suffix(""))]
        for mode, score in scores.items():
            row = Counter({k: int(getattr(score, k)) for k in COUNTS})
            row["articles_total"] = score.articles_total
            for key in (name, "ALL"):
                counts[mode][key].update(row)
    return counts


def table(language: str, counts: dict[str, dict[str, Counter[str]]]) -> list[str]:
    """Markdown rows: broken-join and join accuracy and perfect articles, per mode."""
    rows = []
    for key in sorted(counts["shipped"]):
        cells = []
        for mode in MODES:
            c = counts[mode][key]
            broken = 100 * c["broken_kept"] / max(c["broken_total"], 1)
            joins = 100 * c["joins_kept"] / max(c["joins_total"], 1)
            cells.append(
                f"{broken:.1f} ({c['broken_kept']}/{c['broken_total']}) / {joins:.1f}"
                f" / {c['articles_perfect']} of {c['articles_total']}"
            )
        rows.append(f"| {language} | {key} | " + " | ".join(cells) + " |")
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    page_set_arguments(parser)
    args = parser.parse_args(argv)
    print(
        "| language | extractor | "
        + " | ".join(f"{m}: broken / join / perfect" for m in MODES)
        + " |"
    )
    print("|---|---|---|---|")
    for language in args.languages:
        for row in table(language, evaluate(language, args.split, args.limit)):
            print(row)


if __name__ == "__main__":
    main()
