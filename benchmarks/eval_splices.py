"""Splice-cut precision and recall of the shipped models on the dev pages' within-line gaps.

    python -m benchmarks.eval_splices [--languages en zh] [--split dev] [--threshold 0.35]

A gap counts as a true splice where the gold reading order does not run
straight across it (gaps whose next character the gold leaves unknown are
skipped). Each language is scored with its first splice pass alone and, where
a column pass ships, with it, per extractor and over all pages: the splice
stage's own figure, before any link is made.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter, defaultdict
from pathlib import Path

from newsdeinterleave.engine import load_splicer
from newsdeinterleave.scoring import probability
from newsdeinterleave.splicing import column_probability, reads_words
from newsdeinterleave.training import labelled_page, page_gaps, training_pages

PAGES = Path(__file__).resolve().parent / "pages"


def page_set_arguments(parser: argparse.ArgumentParser, *, limit: bool = True) -> None:
    """The options every dev-page diagnostic takes: which languages, which split, how many pages."""
    parser.add_argument("--languages", nargs="+", default=["en", "zh"])
    parser.add_argument(
        "--split", default="dev", help="a split, or a held-out page set such as xdev"
    )
    if limit:
        parser.add_argument("--limit", type=int, default=None, help="first N pages of each set")


def page_extractors() -> dict[str, str]:
    """The extractor of each benchmark page, by its path under ``PAGES`` without suffix."""
    return {
        json.loads(line)["path"][: -len(".txt")]: json.loads(line)["extractor"]
        for line in (PAGES / "manifest.jsonl").read_text("utf-8").splitlines()
        if line.strip()
    }


def evaluate(
    language: str, split: str, threshold: float, limit: int | None = None
) -> dict[tuple[str, str], Counter[str]]:
    """Counts of true / false / missed cuts per (extractor or ALL, pass), on ``limit`` pages."""
    splicer = load_splicer(language, frozenset())
    if splicer is None:
        raise SystemExit(f"no shipped splice model for {language}")
    extractor = page_extractors()
    counts: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for path in list(training_pages(PAGES, language, split))[:limit]:
        gaps = page_gaps(labelled_page(path), words=reads_words(splicer.gaps))
        if gaps is None:
            continue
        splicer.gaps.check_features(gaps.names)
        first = probability(splicer.gaps.log_odds(gaps.matrix))
        passes = {"first pass": first}
        if splicer.columns is not None:
            passes["with column pass"] = column_probability(
                splicer.columns, gaps.names, gaps.matrix, gaps.geometry, first
            )
        name = extractor[str(path.relative_to(PAGES).with_suffix(""))]
        truth = gaps.labels == 1
        for tag, prob in passes.items():
            cut = prob >= threshold
            for key in (name, "ALL"):
                c = counts[(key, tag)]
                c["true"] += int((cut & truth & gaps.known).sum())
                c["false"] += int((cut & ~truth & gaps.known).sum())
                c["missed"] += int((~cut & truth & gaps.known).sum())
    return counts


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    page_set_arguments(parser, limit=False)
    parser.add_argument("--threshold", type=float, default=0.35)
    args = parser.parse_args(argv)
    print("| language | extractor | pass | splices | precision | recall |")
    print("|---|---|---|---|---|---|")
    for language in args.languages:
        for (key, tag), c in sorted(evaluate(language, args.split, args.threshold).items()):
            found = c["true"] + c["false"]
            real = c["true"] + c["missed"]
            precision = c["true"] / found if found else float("nan")
            recall = c["true"] / real if real else float("nan")
            print(f"| {language} | {key} | {tag} | {real} | {precision:.3f} | {recall:.3f} |")


if __name__ == "__main__":
    main()
