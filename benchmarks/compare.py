"""Benchmark runs side by side: one row per page set and extractor, one column per run.

    python -m benchmarks.compare shipped=DIR_A candidate=DIR_B [--sets zh-dev seed]

Every candidate model is judged against the shipped one (or its control
refit) on the same pages, and a single "all pages" figure hides where it
gains and loses: a change can lift pdftotext pages and sink Tesseract ones.
Each argument is ``NAME=PATH`` (or just ``PATH``), where ``PATH`` is an
output folder of ``python -m benchmarks.run`` or its ``results.json``. A cell
is broken-join % (kept) / join % / B-cubed F1 (macro) / perfect articles /
titles right, the figures FORMAT.md and the issue targets name; a second
table gives each later run's change against the first.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

Key = tuple[str, str, str]  # set, extractor, system


@dataclass(frozen=True)
class Cell:
    """The figures of one summary row of a run."""

    broken: float
    broken_kept: int
    join: float
    f1: float
    perfect: int
    titles: int

    def text(self) -> str:
        return (
            f"{100 * self.broken:.1f} ({self.broken_kept}) / {100 * self.join:.1f} / "
            f"{100 * self.f1:.1f} / {self.perfect} / {self.titles}"
        )

    def change(self, base: Cell) -> str:
        return (
            f"{_points(self.broken - base.broken)} ({self.broken_kept - base.broken_kept:+d}) / "
            f"{_points(self.join - base.join)} / {_points(self.f1 - base.f1)} / "
            f"{self.perfect - base.perfect:+d} / {self.titles - base.titles:+d}"
        )


def _points(share: float) -> str:
    """A change of a share in signed percentage points; no "-0.0" for a change that rounds away."""
    value = round(100 * share, 1)
    return f"{value + 0.0:+.1f}"


def load_run(path: Path) -> dict[Key, Cell]:
    """The summary rows of one run, from its folder or its ``results.json``."""
    file = path / "results.json" if path.is_dir() else path
    try:
        rows = json.loads(file.read_text("utf-8"))["summary"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ValueError(f"{file}: not a benchmarks.run results file ({err})") from err
    return {
        (r["set"], r["extractor"], r["system"]): Cell(
            broken=r["broken_join_accuracy"],
            broken_kept=r["broken_kept"],
            join=r["join_accuracy"],
            f1=r["bcubed_f1_macro"],
            perfect=r["articles_perfect"],
            titles=r["titles_correct"],
        )
        for r in rows
    }


def parse_run(arg: str) -> tuple[str, Path]:
    """``NAME=PATH`` or ``PATH`` (named after its folder)."""
    name, sep, path = arg.partition("=")
    if not sep:
        return Path(arg).name if Path(arg).is_dir() else Path(arg).parent.name, Path(arg)
    return name, Path(path)


def _order(key: Key) -> tuple[str, int, str, str]:
    """Sets in name order, each set's 'all' row first."""
    return key[0], key[1] != "all", key[1], key[2]


def compare(runs: Sequence[tuple[str, dict[Key, Cell]]], sets: Sequence[str] = ()) -> str:
    """Two markdown tables: the figures of every run, and each run's change against the first."""
    if not runs:
        raise ValueError("no runs to compare")
    keys = sorted({k for _, cells in runs for k in cells if not sets or k[0] in sets}, key=_order)
    # A system column only when the runs hold more than one system (most compare "full" runs).
    several = len({k[2] for k in keys}) > 1
    head = "| set | extractor | system |" if several else "| set | extractor |"
    names = [name for name, _ in runs]

    def row_label(k: Key) -> str:
        return " | ".join(k if several else k[:2])

    cols = head.count("|") - 1
    lines = [
        "broken-join % (kept) / join % / B-cubed F1 / perfect articles / titles",
        "",
        head + "".join(f" {n} |" for n in names),
        "|" + "---|" * (cols + len(names)),
    ]
    for k in keys:
        cells = [c.text() if (c := r.get(k)) else "-" for _, r in runs]
        lines.append(f"| {row_label(k)} | " + " | ".join(cells) + " |")
    if len(runs) > 1:
        base_name, base = runs[0]
        lines += [
            "",
            f"change against {base_name}",
            "",
            head + "".join(f" {n} |" for n in names[1:]),
            "|" + "---|" * (cols + len(names) - 1),
        ]
        for k in keys:
            b = base.get(k)
            cells = [c.change(b) if (c := r.get(k)) and b else "-" for _, r in runs[1:]]
            lines.append(f"| {row_label(k)} | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=(__doc__ or "").split("\n\n")[0],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("runs", nargs="+", help="NAME=PATH or PATH: a benchmarks.run output")
    parser.add_argument("--sets", nargs="*", default=[], help="only these page sets")
    args = parser.parse_args(argv)
    try:
        runs = [(name, load_run(path)) for name, path in map(parse_run, args.runs)]
    except ValueError as err:
        parser.error(str(err))
    print(compare(runs, args.sets), end="")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
