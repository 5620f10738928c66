"""Does an article's confidence say whether it is one printed story?

    python -m benchmarks.eval_confidence [--sets zh-dev en-dev] [--limit N] [--pure 0.95]

Each predicted article of ``deinterleave`` is called pure when at least
``--pure`` of its non-whitespace characters come from one gold article. The
figure is the AUC of ``Article.confidence`` for telling pure articles from the
rest (0.5: no better than chance), with the share of pure articles per
confidence band, so a user can read what a confidence of 0.6 means on such
pages. Scored on the dev pages by default, never on the seed or test pages.
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from benchmarks.run import resolve_sets
from newsdeinterleave import deinterleave
from newsdeinterleave.evaluation import load_gold

PAGES = Path(__file__).resolve().parent / "pages"
BANDS = (0.0, 0.5, 0.7, 0.85, 1.0001)


def article_purity(path: Path) -> list[tuple[float, float]]:
    """(confidence, share of the largest gold article) of each predicted article."""
    gold, text = load_gold(path)
    owner = np.full(len(text), -1, dtype=np.int64)
    for a, article in enumerate(gold.articles):
        for piece in article.pieces:
            owner[piece.start : piece.end] = a
    out = []
    for article in deinterleave(text).articles:
        chars = [p for s in article.spans for p in range(s.start, s.end) if not text[p].isspace()]
        if not chars:
            continue
        top = Counter(int(owner[p]) for p in chars).most_common(1)[0][1]
        out.append((article.confidence, top / len(chars)))
    return out


def auc(scores: NDArray[np.float64], positive: NDArray[np.bool_]) -> float | None:
    """Probability that a pure article outranks an impure one (ties count half)."""
    pos, neg = scores[positive], np.sort(scores[~positive])
    if not len(pos) or not len(neg):
        return None
    below = np.searchsorted(neg, pos, side="left")
    tied = np.searchsorted(neg, pos, side="right") - below
    return float(np.mean(below + 0.5 * tied) / len(neg))


def report(name: str, rows: list[tuple[float, float]], pure: float) -> list[str]:
    conf = np.array([c for c, _ in rows])
    is_pure = np.array([share >= pure for _, share in rows])
    value = auc(conf, is_pure)
    lines = [
        f"## {name}: {len(rows)} articles, {is_pure.mean():.1%} pure; "
        f"AUC of confidence {'n/a' if value is None else f'{value:.3f}'}",
        "",
        "| confidence | articles | pure |",
        "|---|---|---|",
    ]
    for lo, hi in zip(BANDS, BANDS[1:], strict=False):
        band = (conf >= lo) & (conf < hi)
        share = f"{is_pure[band].mean():.2f}" if band.any() else "-"
        lines.append(f"| {lo:.2f}-{min(hi, 1.0):.2f} | {int(band.sum())} | {share} |")
    return lines + [""]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sets", nargs="+", default=["zh-dev", "en-dev"])
    parser.add_argument("--limit", type=int, default=None, help="first N pages of each set")
    parser.add_argument("--pure", type=float, default=0.95)
    args = parser.parse_args(argv)
    for name, refs in resolve_sets(args.sets, PAGES, [], args.limit).items():
        rows = [row for ref in refs for row in article_purity(ref.json_path)]
        print("\n".join(report(name, rows, args.pure)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
