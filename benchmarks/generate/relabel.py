"""Recompute the gold of OCR pages from their saved text (no rendering, no OCR).

OCR page text is the raw Tesseract output, and the page's sources are a pure
function of the seed, so labels can be refreshed after an aligner change:
``python -m benchmarks.generate.relabel --corpus ../shared/corpus --out benchmarks/pages``.
The layout attempt (re-composition when a page did not fit) is recovered by
matching the manifest's source size.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from .__main__ import plan, read_manifest
from .align import fuzzy_align
from .compose import compose
from .gold import build_gold, dump_gold
from .pipeline import _source, _stats, _validator


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.generate.relabel")
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    mpath = args.out / "manifest.jsonl"
    manifest = read_manifest(mpath)
    validate = _validator()
    jobs = {}
    changed = 0
    for pid, row in sorted(manifest.items()):
        if not row["extractor"].startswith("tesseract"):
            continue
        lang, split, label = row["language"], row["split"], row.get("set", "")
        number = int(pid.split("-")[2])
        key = (lang, split, label, row["seed"])
        if key not in jobs:
            count = max(
                int(p.split("-")[2])
                for p, r in manifest.items()
                if (r["language"], r["split"], r.get("set", "")) == (lang, split, label)
            )
            jobs[key] = plan(args.corpus, args.out, lang, split, row["seed"], count, label)
        job = jobs[key][number - 1]
        for attempt in range(4):
            spec = compose(job.key, lang, split, job.seed, job.articles, attempt)
            src, roles, furn = _source(spec)
            if sum(1 for a in src.char_art if a != furn) == row["stats"]["source_chars"]:
                break
        else:
            print(f"skip {pid}: layout not recovered")
            continue
        path = args.out / row["path"]
        text = path.read_bytes().decode("utf-8")
        labels = fuzzy_align(text, src, 2 if lang == "zh" else 3, 2.5 if lang == "zh" else 4.0)
        gold, order = build_gold(pid, path.name, text, lang, labels, src, roles, furn, exact=False)
        validate(gold, text)
        new = dump_gold(gold).encode("utf-8")
        jpath = path.with_suffix(".json")
        if jpath.read_bytes() != new:
            changed += 1
            jpath.write_bytes(new)
        row["gold_articles"] = {
            f"a{n:02d}": spec.articles[i].corpus_id for n, i in enumerate(order, 1)
        }
        row["stats"] = _stats(text, labels, src, furn, gold)
    merged = {
        **read_manifest(mpath),
        **{k: manifest[k] for k in manifest if manifest[k]["extractor"].startswith("tesseract")},
    }
    lines = [json.dumps(merged[k], ensure_ascii=False, sort_keys=True) for k in sorted(merged)]
    mpath.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"relabelled OCR pages, {changed} gold files changed")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
