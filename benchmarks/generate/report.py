"""Summarise and re-validate a generated page set.

``python -m benchmarks.generate.report benchmarks/pages`` prints counts per
language/split/extractor, labelling quality per extractor (share of characters
whose label is an exact character match, share unassigned, share of source
characters the text covers) and how much each extractor interleaves (share of
gold joins that the page text breaks), and checks every gold file.
"""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from newsdeinterleave.splits import page_set

from .gold import check_gold


def _validate(json_path: Path) -> None:
    try:
        from newsdeinterleave.evaluation import load_gold
    except ImportError:
        gold = json.loads(json_path.read_text(encoding="utf-8"))
        with open(json_path.parent / gold["text_file"], encoding="utf-8", newline="") as fh:
            check_gold(gold, fh.read())
        return
    load_gold(json_path)


def join_counts(json_path: Path) -> tuple[int, int]:
    """FORMAT.md joins of a page: consecutive characters of a gold article that are not
    directly adjacent in the text; and how many of those the text breaks (a jump, not
    just whitespace)."""
    gold = json.loads(json_path.read_text(encoding="utf-8"))
    with open(json_path.parent / gold["text_file"], encoding="utf-8", newline="") as fh:
        text = fh.read()
    joins = broken = 0
    for art in gold["articles"]:
        idx = [
            i for p in art["pieces"] for i in range(p["start"], p["end"]) if not text[i].isspace()
        ]
        for a, b in zip(idx, idx[1:], strict=False):
            if b == a + 1:
                continue
            joins += 1
            broken += int(b < a or bool(text[a + 1 : b].strip()))
    return joins, broken


def summarise(root: Path) -> dict[str, Any]:
    rows = [
        json.loads(line)
        for line in (root / "manifest.jsonl").read_text("utf-8").splitlines()
        if line.strip()
    ]
    counts = Counter((r["language"], page_set(r)) for r in rows)
    by_ext: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    bad = []
    for r in rows:
        try:
            _validate(root / Path(r["path"]).with_suffix(".json"))
        except Exception as exc:  # report every bad file, not just the first
            bad.append(f"{r['page_id']}: {exc}")
        c = by_ext[(r["language"], r["extractor"])]
        c["pages"] += 1
        gj, gb = join_counts(root / Path(r["path"]).with_suffix(".json"))
        c["gold_joins"] += gj
        c["gold_broken"] += gb
        for k, v in r["stats"].items():
            c[k] += v
    quality = {}
    for (lang, ext), c in sorted(by_ext.items()):
        quality[f"{lang} {ext}"] = {
            "pages": c["pages"],
            "exact_char_%": round(100 * c["exact_char"] / c["chars"], 2),
            "unassigned_%": round(100 * c["unassigned"] / c["chars"], 2),
            "source_covered_%": round(100 * c["source_covered"] / c["source_chars"], 2),
            "gold_joins_broken_%": round(100 * c["gold_broken"] / max(1, c["gold_joins"]), 1),
            "pieces_per_article": round(c["pieces"] / max(1, c["articles"]), 1),
            "chars_per_page": round(c["chars"] / c["pages"]),
        }
    return {
        "pages": len(rows),
        "per_lang_split": {f"{k[0]}-{k[1]}": v for k, v in sorted(counts.items())},
        "per_extractor": quality,
        "invalid": bad,
    }


def main() -> int:
    root = Path(sys.argv[1] if len(sys.argv) > 1 else "benchmarks/pages")
    summary = summarise(root)
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    return 1 if summary["invalid"] else 0


if __name__ == "__main__":
    sys.exit(main())
