"""Where the broken joins are lost: at the splice cuts, in the link decoding, or after it.

    python -m benchmarks.eval_losses [--languages en zh] [--split dev] [--limit N]
    python -m benchmarks.eval_losses --page benchmarks/pages/seed-000.json

Broken-join accuracy (FORMAT.md) says how many of the joins the extractor broke
the result restores, not which stage lost the rest. Each broken gold join
(character a read before character b, b not next in the input) is put in one
stage class on the engine's own link graph (``engine.page_graph``, the graph
the result is built from):

- ``uncut``: a or b sits inside a fragment, not at its end or start, so no
  link can restore the join (the splice stage missed a cut, or made one that
  leaves a wrong neighbour on the fragment);
- ``link right``: a ends a fragment, b starts one, and the decoded link joins them;
- ``link wrong``: both are fragment ends, but the decoding linked elsewhere;
  beside it, the share of those whose pair was never scored (the pruning
  stage dropped it, or it lies beyond the window), which no change to the
  link model alone can win back, and the share the link model scored at or
  below its decision bar (it says no to the pair itself); the rest scored above
  the bar and lost the matching to a rival link of one of the two fragments.

Beside each class: how many of its joins the final result (``deinterleave``)
keeps, so a reader sees both what the decoding got and what the story stages
(chains, same-story clustering, merge, ordering) made of it.
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from benchmarks.eval_splices import PAGES, page_extractors, page_set_arguments
from newsdeinterleave import deinterleave
from newsdeinterleave.engine import page_chunks, page_graph
from newsdeinterleave.evaluation import GoldPage, load_gold, prediction_from_page, reading_chars
from newsdeinterleave.scoring import decision_bar
from newsdeinterleave.training import training_pages

CLASSES = ("uncut", "link right", "link wrong")
# The part of "link wrong" whose pair the decoding never saw: pruned before the full
# scoring (``engine.build_graph`` keeps a few candidates per fragment) or beyond the window.
UNSCORED = "link wrong unscored"
# The part of "link wrong" the link model scored but not above its decision bar.
BELOW_BAR = "link wrong below bar"


def broken_joins(gold: GoldPage, text: str) -> list[tuple[int, int]]:
    """The gold joins (a, b) whose b is not the next non-space character of the input."""
    chars = [i for i, ch in enumerate(text) if not ch.isspace()]
    next_in_page = dict(pairwise(chars))
    return [
        (a, b)
        for article in gold.articles
        for a, b in pairwise(reading_chars(text, article.pieces))
        if next_in_page.get(a) != b
    ]


@dataclass(frozen=True)
class JoinLoss:
    """One broken gold join ``a -> b``: its stage class and what the result made of it."""

    a: int
    b: int
    kind: str
    scored: bool  # the decoding scored the pair (meaningful for "link wrong")
    kept: bool
    instead: int | None  # what the result reads after ``a`` (None: ``a`` ends its article)
    below_bar: bool = False  # scored, at or below the link model's decision bar

    @property
    def unscored(self) -> bool:
        """A wrong link whose right pair was never scored (pruned, or beyond the window)."""
        return self.kind == "link wrong" and not self.scored

    @property
    def refused(self) -> bool:
        """A wrong link whose right pair the link model scored at or below its bar."""
        return self.kind == "link wrong" and self.scored and self.below_bar


def join_losses(gold: GoldPage, text: str) -> list[JoinLoss]:
    """Every broken join of the page, in gold order, classed as in the module docstring."""
    chunks = page_chunks(text, gold.language)
    graph, _ = page_graph(text, chunks, gold.language)
    fragment_of: dict[int, int] = {}
    first: dict[int, int] = {}
    last: dict[int, int] = {}
    for f in graph.fragments:
        own = reading_chars(text, [(f.start, f.end)])
        if own:
            fragment_of.update(dict.fromkeys(own, f.index))
            first[f.index], last[f.index] = own[0], own[-1]
    log_odds = dict(
        zip(zip(graph.ii.tolist(), graph.jj.tolist(), strict=True), graph.log_odds, strict=True)
    )
    bar = decision_bar(graph.model) if graph.model is not None else 0.0
    successor: dict[int, int] = {}
    for spans in prediction_from_page(deinterleave(text, language=gold.language)):
        successor.update(pairwise(reading_chars(text, spans)))
    out = []
    for a, b in broken_joins(gold, text):
        fa, fb = fragment_of[a], fragment_of[b]
        if last[fa] != a or first[fb] != b:
            kind = "uncut"
        elif int(graph.successor[fa]) == fb:
            kind = "link right"
        else:
            kind = "link wrong"
        got = successor.get(a)
        score = log_odds.get((fa, fb))
        below = score is not None and float(score) <= bar
        out.append(JoinLoss(a, b, kind, score is not None, got == b, got, below))
    return out


def tally(joins: list[JoinLoss]) -> Counter[str]:
    """Per stage class, the broken joins (``<class>``) and those kept (``<class> kept``)."""
    counts: Counter[str] = Counter()
    for join in joins:
        counts[join.kind] += 1
        counts[f"{join.kind} kept"] += join.kept
        counts[UNSCORED] += join.unscored
        counts[BELOW_BAR] += join.refused
    return counts


def page_losses(gold: GoldPage, text: str) -> Counter[str]:
    """:func:`tally` of the page's :func:`join_losses`."""
    return tally(join_losses(gold, text))


def listing(text: str, joins: list[JoinLoss], context: int = 10) -> list[str]:
    """One line per broken join: kept or lost, its class, the two sides, what came instead.

    For reading one page's losses by eye (``--page``), as the aggregate table cannot show them.
    """

    def before(i: int) -> str:
        return text[max(0, i - context + 1) : i + 1].replace("\n", "/")

    def after(i: int | None) -> str:
        return "(article ends)" if i is None else text[i : i + context].replace("\n", "/")

    rows = []
    for j in joins:
        kind = j.kind + (" (unscored)" if j.unscored else " (below bar)" if j.refused else "")
        tail = "" if j.kept else f"   instead: {after(j.instead)}"
        rows.append(
            f"{'kept' if j.kept else 'lost'}  {kind:<24} {before(j.a)} || {after(j.b)}{tail}"
        )
    return rows


def evaluate(language: str, split: str, limit: int | None = None) -> dict[str, Counter[str]]:
    """Stage-class counts per extractor and over all pages (``ALL``) of one split."""
    extractor = page_extractors()
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for path in list(training_pages(PAGES, language, split))[:limit]:
        gold, text = load_gold(path)
        losses = page_losses(gold, text)
        name = extractor[str(path.relative_to(PAGES).with_suffix(""))]
        counts[name].update(losses)
        counts["ALL"].update(losses)
    return counts


def table(language: str, counts: dict[str, Counter[str]]) -> list[str]:
    """Markdown rows: per class, its share of the broken joins and how many the result keeps."""
    rows = []
    for key, c in sorted(counts.items()):
        total = sum(c[k] for k in CLASSES)
        kept = sum(c[f"{k} kept"] for k in CLASSES)
        cells = [
            f"{100 * c[k] / total:.1f} ({c[f'{k} kept']} kept)" if total else "-" for k in CLASSES
        ]
        wrong = c["link wrong"]
        unscored, below = (
            (f"{100 * c[k] / wrong:.1f}" if wrong else "-") for k in (UNSCORED, BELOW_BAR)
        )
        share = f"{100 * kept / total:.1f}" if total else "-"
        shares = f"{unscored} | {below} | {share}"
        rows.append(f"| {language} | {key} | {total} | {' | '.join(cells)} | {shares} |")
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    page_set_arguments(parser)
    parser.add_argument(
        "--page", type=Path, default=None, help="list one gold page's broken joins one by one"
    )
    args = parser.parse_args(argv)
    if args.page is not None:
        gold, text = load_gold(args.page)
        print("\n".join(listing(text, join_losses(gold, text))))
        return
    head = " | ".join(f"{k} % (kept)" for k in CLASSES)
    print(
        f"| language | extractor | broken joins | {head} | link wrong: unscored % "
        "| link wrong: below bar % | kept % |"
    )
    print("|---|---|---|---|---|---|---|---|---|")
    for language in args.languages:
        print("\n".join(table(language, evaluate(language, args.split, args.limit))), flush=True)


if __name__ == "__main__":
    main()
