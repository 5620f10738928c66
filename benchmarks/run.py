"""Benchmark runner: score every system on labelled page sets, side by side.

    python -m benchmarks.run [--quick] [--sets seed zh-test en-test] [--pages DIR]
                             [--systems noop greedy full full-lm ...] [--out benchmarks/results]

Page sets: ``seed`` (the real seed page), ``<lang>-<split>`` (rows of
``benchmarks/pages/manifest.jsonl``) and ``--pages DIR`` (any folder of page
``.txt`` + gold ``.json`` pairs). Systems: ``noop``, ``greedy``, ``full`` and
ablations ``full-<family>`` (shown as ``full -<family>``). Writes
``results.md``, ``results.json`` and ``results.png`` to ``--out``.

``--quick`` (CI) runs the seed page plus 5 pages per test set and checks that
the metrics are computed consistently -- not that the engine is good -- and
exits non-zero on an inconsistency or a page error.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newsdeinterleave import __version__, deinterleave
from newsdeinterleave.evaluation import (
    GoldFormatError,
    GoldPage,
    PageScore,
    load_gold,
    score_page,
    score_prediction,
)
from newsdeinterleave.splits import page_set

PAGES = Path(__file__).resolve().parent / "pages"
FAMILIES = ("length", "punctuation", "lm", "page_lm", "topic")
DEFAULT_SETS = ("seed", "zh-test", "en-test")
DEFAULT_SYSTEMS = ("noop", "greedy", "full", *(f"full-{f}" for f in FAMILIES))
QUICK_PAGES_PER_SET = 5
# The seed gold's do-nothing join counts (kept, total, broken kept, broken total), checked by
# hand against FORMAT.md; a change means the seed gold or the metric changed.
SEED_NOOP = (477, 528, 0, 51)
ALL = "all"


# --------------------------------------------------------------------------- inputs


@dataclass(frozen=True)
class PageRef:
    """One labelled page of a set; ``extractor`` groups results (``seed``/``user`` if unknown)."""

    set_name: str
    json_path: Path
    extractor: str


@dataclass(frozen=True)
class System:
    name: str
    method: str
    disable: tuple[str, ...]

    @property
    def label(self) -> str:
        return " ".join([self.method, *(f"-{f}" for f in self.disable)])


def parse_system(spec: str) -> System:
    """``full-lm-topic`` or ``full -lm`` -> the full method with those families disabled."""
    parts = [p for p in spec.replace(" ", "").split("-") if p]
    if not parts or parts[0] not in ("noop", "greedy", "full"):
        raise ValueError(f"unknown system {spec!r}; use noop, greedy, full or full-<family>")
    bad = [p for p in parts[1:] if p not in FAMILIES]
    if bad or (parts[1:] and parts[0] != "full"):
        raise ValueError(f"bad ablation in {spec!r}; families are {FAMILIES}, only for 'full'")
    return System(spec, parts[0], tuple(parts[1:]))


def _manifest(pages_root: Path) -> list[dict[str, Any]]:
    path = pages_root / "manifest.jsonl"
    if not path.exists():
        return []
    with open(path, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _gold_path(pages_root: Path, row: dict[str, Any]) -> Path:
    """Manifest ``path`` may name the gold JSON or the page text; the gold sits beside it."""
    path = pages_root / str(row["path"])
    return path if path.suffix == ".json" else path.with_suffix(".json")


def resolve_sets(
    names: Sequence[str], pages_root: Path, user_dirs: Sequence[Path], limit: int | None
) -> dict[str, list[PageRef]]:
    """Page refs per set name, sorted by page id so runs and ``--quick`` subsets are stable."""
    rows = _manifest(pages_root)
    sets: dict[str, list[PageRef]] = {}
    for name in names:
        if name == "seed":
            refs = [PageRef(name, p, "seed") for p in sorted(pages_root.glob("seed-*.json"))]
        else:
            lang, _, split = name.partition("-")
            chosen = sorted(
                (r for r in rows if r.get("language") == lang and page_set(r) == split),
                key=lambda r: str(r["page_id"]),
            )
            refs = [
                PageRef(name, _gold_path(pages_root, r), str(r.get("extractor", "?")))
                for r in chosen
            ]
        sets[name] = refs[:limit] if limit is not None else refs
    for folder in user_dirs:
        refs = [PageRef(folder.name, p, "user") for p in sorted(folder.glob("*.json"))]
        sets[folder.name] = refs[:limit] if limit is not None else refs
    return sets


# --------------------------------------------------------------------------- running


@dataclass
class Outcome:
    """One system on one page: its score (None on error) and the time deinterleave took."""

    ref: PageRef
    system: System
    page_id: str
    score: PageScore | None
    seconds: float
    error: str | None = None


@dataclass
class Run:
    outcomes: list[Outcome] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    inconsistencies: list[str] = field(default_factory=list)


def run_page(ref: PageRef, systems: Sequence[System], run: Run, checks: bool) -> None:
    """Score all systems on one page; any failure is recorded, never raised."""
    try:
        gold, text = load_gold(ref.json_path)
    except (GoldFormatError, OSError, ValueError) as err:
        run.page_errors.append(f"{ref.set_name}/{ref.json_path.name}: {err}")
        return
    if checks:
        run.inconsistencies.extend(check_metrics(gold, text))
    for system in systems:
        t0 = time.perf_counter()
        try:
            page = deinterleave(text, method=system.method, disable=system.disable)
            seconds = time.perf_counter() - t0
            score = score_page(gold, text, page)
        except Exception as err:  # noqa: BLE001 - a crashing system must not stop the benchmark
            run.outcomes.append(
                Outcome(ref, system, gold.page_id, None, time.perf_counter() - t0, repr(err))
            )
            continue
        run.outcomes.append(Outcome(ref, system, gold.page_id, score, seconds))
        if checks:
            run.inconsistencies.extend(check_score(score, system))


# --------------------------------------------------------------------------- consistency checks


def _rates(score: PageScore) -> dict[str, float | None]:
    return {
        "join_accuracy": score.join_accuracy,
        "broken_join_accuracy": score.broken_join_accuracy,
        "bcubed_precision": score.bcubed_precision,
        "bcubed_recall": score.bcubed_recall,
        "bcubed_f1": score.bcubed_f1,
        "perfect_rate": score.perfect_rate,
        "title_accuracy": score.title_accuracy,
        "mean_similarity": score.mean_similarity,
    }


def check_score(score: PageScore, system: System) -> list[str]:
    """Rates lie in [0, 1] and agree with their counts."""
    where = f"{score.page_id}/{system.label}"
    out = [
        f"{where}: {name} = {value} is outside [0, 1]"
        for name, value in _rates(score).items()
        if value is not None and not 0.0 <= value <= 1.0
    ]
    if score.joins_total and score.join_accuracy != score.joins_kept / score.joins_total:
        out.append(f"{where}: join accuracy disagrees with its counts")
    if not score.broken_kept <= score.broken_total <= score.joins_total:
        out.append(f"{where}: broken-join counts exceed the join counts")
    return out


def check_metrics(gold: GoldPage, text: str) -> list[str]:
    """Metric identities that hold on every page, whatever the engine does.

    Doing nothing keeps exactly the joins the extractor did not break; its
    B-cubed precision has a closed form; scoring the gold itself gives 1
    everywhere; and scoring twice gives the same numbers.
    """
    pid = gold.page_id
    out: list[str] = []
    noop = score_prediction(gold, text, [[(0, len(text))]])
    again = score_page(gold, text, deinterleave(text, method="noop"))
    counts = (noop.joins_kept, noop.joins_total, noop.broken_kept, noop.broken_total)
    if noop.broken_kept != 0 or noop.joins_kept != noop.joins_total - noop.broken_total:
        out.append(f"{pid}: noop join counts {counts} break kept = total - broken, 0 broken kept")
    if pid == "seed-000" and counts != SEED_NOOP:
        out.append(f"{pid}: noop join counts {counts} != {SEED_NOOP}")
    if again.model_dump(exclude={"articles"}) != noop.model_dump(exclude={"articles"}):
        out.append(f"{pid}: noop scores differ between the Page and the span scorer")
    sizes = [
        sum(not text[i].isspace() for p in a.pieces for i in range(p.start, p.end))
        for a in gold.articles
    ]
    singles = sum(not text[i].isspace() for u in gold.unassigned for i in range(u.start, u.end))
    n = sum(sizes) + singles
    if n:
        precision = (sum(s * s for s in sizes) + singles) / (n * n)
        f1 = 2 * precision / (1 + precision)
        if noop.bcubed_f1 is None or not math.isclose(noop.bcubed_f1, f1, rel_tol=1e-9):
            out.append(f"{pid}: noop B-cubed F1 {noop.bcubed_f1} != closed form {f1}")
    oracle = score_prediction(
        gold, text, [[(p.start, p.end, p.role) for p in a.pieces] for a in gold.articles]
    )
    imperfect = {k: v for k, v in _rates(oracle).items() if v is not None and v < 1.0 - 1e-12}
    if imperfect:
        out.append(f"{pid}: the gold scored against itself is not perfect: {imperfect}")
    return out


# --------------------------------------------------------------------------- aggregation


def _mean(values: Iterable[float | None]) -> float | None:
    kept = [v for v in values if v is not None]
    return sum(kept) / len(kept) if kept else None


def _ratio(kept: int, total: int) -> float | None:
    return kept / total if total else None


def aggregate(outcomes: Sequence[Outcome]) -> dict[str, Any]:
    """Micro rates (summed counts over pages) plus macro page means."""
    scores = [o.score for o in outcomes if o.score is not None]
    seconds = sum(o.seconds for o in outcomes if o.score is not None)

    def total(attr: str) -> int:
        return sum(int(getattr(s, attr)) for s in scores)

    return {
        "pages": len(scores),
        "errors": sum(o.score is None for o in outcomes),
        "joins_kept": total("joins_kept"),
        "joins_total": total("joins_total"),
        "broken_kept": total("broken_kept"),
        "broken_total": total("broken_total"),
        "articles_perfect": total("articles_perfect"),
        "articles_total": total("articles_total"),
        "titles_correct": total("titles_correct"),
        "titles_total": total("titles_total"),
        "join_accuracy": _ratio(total("joins_kept"), total("joins_total")),
        "broken_join_accuracy": _ratio(total("broken_kept"), total("broken_total")),
        "perfect_rate": _ratio(total("articles_perfect"), total("articles_total")),
        "title_accuracy": _ratio(total("titles_correct"), total("titles_total")),
        "join_accuracy_macro": _mean(s.join_accuracy for s in scores),
        "broken_join_accuracy_macro": _mean(s.broken_join_accuracy for s in scores),
        "bcubed_f1_macro": _mean(s.bcubed_f1 for s in scores),
        "similarity_macro": _mean(s.mean_similarity for s in scores),
        "seconds": seconds,
        "pages_per_second": len(scores) / seconds if seconds > 0 else None,
    }


def summarise(run: Run) -> list[dict[str, Any]]:
    """One row per (system, set, extractor), extractor ``all`` being the whole set."""
    rows: list[dict[str, Any]] = []
    keys: dict[tuple[str, str, str], list[Outcome]] = {}
    for o in run.outcomes:
        for extractor in (ALL, o.ref.extractor):
            keys.setdefault((o.system.label, o.ref.set_name, extractor), []).append(o)
    for (system, set_name, extractor), outcomes in keys.items():
        rows.append(
            {"system": system, "set": set_name, "extractor": extractor, **aggregate(outcomes)}
        )
    return rows


# --------------------------------------------------------------------------- reports


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.1f}"


def _cell(value: float | None, kept: int, total: int) -> str:
    return "–" if value is None else f"{100 * value:.1f} ({kept}/{total})"


def markdown(rows: Sequence[dict[str, Any]], run: Run, header: str) -> str:
    systems = list(dict.fromkeys(r["system"] for r in rows))
    sets = list(dict.fromkeys(r["set"] for r in rows))
    by_key = {(r["system"], r["set"], r["extractor"]): r for r in rows}
    lines = [f"# Benchmark results\n\n{header}\n", "## Broken-join accuracy (%, micro)\n"]
    lines.append("| system | " + " | ".join(sets) + " |")
    lines.append("|---" * (len(sets) + 1) + "|")
    for system in systems:
        cells = [
            _pct(by_key[(system, s, ALL)]["broken_join_accuracy"])
            if (system, s, ALL) in by_key
            else "–"
            for s in sets
        ]
        lines.append(f"| {system} | " + " | ".join(cells) + " |")
    columns = (
        "pages",
        "broken-join % (kept/total)",
        "macro",
        "join % (kept/total)",
        "macro",
        "B³ F1 % (macro)",
        "perfect articles %",
        "title acc %",
        "pages/s",
        "errors",
    )
    for set_name in sets:
        extractors = sorted({r["extractor"] for r in rows if r["set"] == set_name} - {ALL})
        groups = [ALL] + (extractors if len(extractors) > 1 else [])
        for extractor in groups:
            title = set_name if extractor == ALL else f"{set_name}, extractor {extractor}"
            lines += [
                f"\n## {title}\n",
                "| system | " + " | ".join(columns) + " |",
                "|---" * (len(columns) + 1) + "|",
            ]
            for system in systems:
                r = by_key.get((system, set_name, extractor))
                if r is None:
                    continue
                pps = "–" if r["pages_per_second"] is None else f"{r['pages_per_second']:.2f}"
                cells = [
                    str(r["pages"]),
                    _cell(r["broken_join_accuracy"], r["broken_kept"], r["broken_total"]),
                    _pct(r["broken_join_accuracy_macro"]),
                    _cell(r["join_accuracy"], r["joins_kept"], r["joins_total"]),
                    _pct(r["join_accuracy_macro"]),
                    _pct(r["bcubed_f1_macro"]),
                    _cell(r["perfect_rate"], r["articles_perfect"], r["articles_total"]),
                    _cell(r["title_accuracy"], r["titles_correct"], r["titles_total"]),
                    pps,
                    str(r["errors"]),
                ]
                lines.append(f"| {system} | " + " | ".join(cells) + " |")
    problems = run.page_errors + [
        f"{o.page_id}/{o.system.label}: {o.error}" for o in run.outcomes if o.error
    ]
    if problems:
        lines += ["\n## Errors\n", *(f"- {p}" for p in problems)]
    if run.inconsistencies:
        lines += ["\n## Metric inconsistencies\n", *(f"- {p}" for p in run.inconsistencies)]
    return "\n".join(lines) + "\n"


def chart(rows: Sequence[dict[str, Any]], path: Path) -> bool:
    """Grouped bars of broken-join accuracy; skipped (False) when matplotlib is missing."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return False
    systems = list(dict.fromkeys(r["system"] for r in rows))
    sets = list(dict.fromkeys(r["set"] for r in rows))
    by_key = {(r["system"], r["set"]): r for r in rows if r["extractor"] == ALL}
    width = 0.8 / max(1, len(systems))
    fig, ax = plt.subplots(
        figsize=(min(12.0, max(6.0, 2.0 + 0.35 * len(sets) * len(systems))), 4.0)
    )
    for k, system in enumerate(systems):
        values = [
            100 * (by_key[(system, s)]["broken_join_accuracy"] or 0.0)
            if (system, s) in by_key
            else 0.0
            for s in sets
        ]
        ax.bar([i + k * width for i in range(len(sets))], values, width, label=system)
    ax.set_xticks([i + width * (len(systems) - 1) / 2 for i in range(len(sets))], sets)
    ax.set_ylabel("broken-join accuracy (%)")
    ax.set_ylim(0, 100)
    ax.legend(fontsize="small", ncols=2)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return True


def _compact(score: PageScore) -> dict[str, Any]:
    """Page metrics plus each gold article's similarity, small enough to keep in the repo."""
    out = score.model_dump(mode="json", exclude={"articles"})
    out["similarity"] = {a.gold_id: round(a.similarity, 4) for a in score.articles}
    return out


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="seed + 5 pages per test set, with metric consistency checks",
    )
    parser.add_argument(
        "--sets", nargs="*", default=None, help=f"page sets (default: {' '.join(DEFAULT_SETS)})"
    )
    parser.add_argument(
        "--pages",
        nargs="*",
        type=Path,
        default=[],
        help="folders of page .txt + gold .json pairs, each scored as its own set",
    )
    parser.add_argument("--systems", nargs="+", default=list(DEFAULT_SYSTEMS))
    parser.add_argument("--limit", type=int, default=None, help="at most N pages per set")
    parser.add_argument(
        "--pages-root",
        type=Path,
        default=PAGES,
        help="folder holding manifest.jsonl and the seed page",
    )
    parser.add_argument("--out", type=Path, default=Path("benchmarks/results"))
    parser.add_argument(
        "--check",
        action="store_true",
        help="run the metric consistency checks without --quick's page limit",
    )
    args = parser.parse_args(argv)

    try:
        systems = [parse_system(s) for s in args.systems]
    except ValueError as err:
        parser.error(str(err))
    names = args.sets if args.sets is not None else (list(DEFAULT_SETS) if not args.pages else [])
    limit = args.limit
    if args.quick:
        limit = min(limit, QUICK_PAGES_PER_SET) if limit is not None else QUICK_PAGES_PER_SET
    sets = resolve_sets(names, args.pages_root, args.pages, limit)
    run = Run()
    checks = args.quick or args.check
    started = time.perf_counter()
    for set_name, refs in sets.items():
        if not refs:
            print(f"[{set_name}] no pages found (manifest or folder missing?)", file=sys.stderr)
            if set_name == "seed" and checks:
                run.inconsistencies.append("seed page is missing")
        for i, ref in enumerate(refs, 1):
            t0 = time.perf_counter()
            run_page(ref, systems, run, checks)
            print(
                f"[{set_name}] {i}/{len(refs)} {ref.json_path.stem} "
                f"({time.perf_counter() - t0:.1f}s)",
                file=sys.stderr,
                flush=True,
            )

    rows = summarise(run)
    args.out.mkdir(parents=True, exist_ok=True)
    header = (
        f"newsdeinterleave {__version__}; "
        f"{'quick' if args.quick else 'full'} run; sets: {', '.join(sets)}; "
        f"{time.perf_counter() - started:.0f} s wall time."
    )
    empty = [name for name, refs in sets.items() if not refs]
    if empty:
        header += f" No pages found for: {', '.join(empty)}."
    (args.out / "results.md").write_text(markdown(rows, run, header), encoding="utf-8")
    payload = {
        "version": __version__,
        "quick": args.quick,
        "sets": {name: [str(r.json_path) for r in refs] for name, refs in sets.items()},
        "systems": [s.label for s in systems],
        "summary": rows,
        "pages": [
            {
                "set": o.ref.set_name,
                "extractor": o.ref.extractor,
                "page_id": o.page_id,
                "system": o.system.label,
                "seconds": o.seconds,
                "error": o.error,
                "score": _compact(o.score) if o.score else None,
            }
            for o in run.outcomes
        ],
        "page_errors": run.page_errors,
        "inconsistencies": run.inconsistencies,
    }
    (args.out / "results.json").write_text(
        json.dumps(payload, indent=1, ensure_ascii=False), encoding="utf-8"
    )
    if not chart(rows, args.out / "results.png"):
        print("matplotlib not installed: results.png skipped", file=sys.stderr)
    print(markdown(rows, run, header))
    failed = run.inconsistencies or (
        checks and (run.page_errors or any(o.error for o in run.outcomes))
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
