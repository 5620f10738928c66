"""ROC AUC of ``detect()`` on held-out pages: generated TEST pages vs clean TEST articles.

    python -m benchmarks.eval_detect [--split test] [--engine-pages 3]

Positives are the generated interleaved pages of the split; negatives are
clean pages built from the same split's corpus articles (never seen by
``fit_detect.py``, which uses train only). Also reports AUC per language and
per extractor, and the cost of ``detect`` next to ``deinterleave``. Writes
``benchmarks/results/detect.md`` and ``detect.json``.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.fit_detect import (
    DEFAULT_CORPUS,
    DEFAULT_PAGES,
    INTERLEAVED_SHARE,
    LANGUAGES,
    clean_page,
    generated_pages,
    load_articles,
    page_articles,
)
from newsdeinterleave import deinterleave
from newsdeinterleave.detect import detect

RESULTS = Path(__file__).resolve().parent / "results"


def auc(positives: Sequence[float], negatives: Sequence[float]) -> float | None:
    if not positives or not negatives:
        return None
    from sklearn.metrics import roc_auc_score

    labels = [1] * len(positives) + [0] * len(negatives)
    return round(float(roc_auc_score(labels, [*positives, *negatives])), 4)


def evaluate(corpus: Path, pages: Path, split: str, seed: int, engine_pages: int) -> dict[str, Any]:
    rows: list[dict[str, Any]] = []
    detect_seconds = 0.0
    texts: list[str] = []
    for lang in LANGUAGES:
        generated = list(generated_pages(pages, lang, split))
        pool = load_articles(corpus, lang, split)
        rng = random.Random(f"eval-{seed}-{lang}-{split}")
        negatives = [
            clean_page(page_articles(pool, rng, 1, 4), rng, lang)
            for _ in range(max(len(generated), 40))
        ]
        for page_id, extractor, text, share in generated:
            t0 = time.perf_counter()
            score = detect(text)
            detect_seconds += time.perf_counter() - t0
            label = 1 if share >= INTERLEAVED_SHARE else -1  # -1: mostly in order, not scored
            rows.append(
                {
                    "lang": lang,
                    "label": label,
                    "kind": extractor,
                    "id": page_id,
                    "score": score,
                    "chars": len(text),
                    "broken_share": round(share, 3),
                }
            )
            texts.append(text)
        for number, text in enumerate(negatives):
            t0 = time.perf_counter()
            score = detect(text)
            detect_seconds += time.perf_counter() - t0
            rows.append(
                {
                    "lang": lang,
                    "label": 0,
                    "kind": "clean",
                    "id": f"clean-{number}",
                    "score": score,
                    "chars": len(text),
                }
            )

    def scores(lang: str | None, label: int, kind: str | None = None) -> list[float]:
        return [
            r["score"]
            for r in rows
            if r["label"] == label
            and (lang is None or r["lang"] == lang)
            and (kind is None or r["kind"] == kind)
        ]

    table: list[dict[str, Any]] = [
        {
            "lang": "all",
            "kind": "all",
            "positives": len(scores(None, 1)),
            "negatives": len(scores(None, 0)),
            "auc": auc(scores(None, 1), scores(None, 0)),
        }
    ]
    for lang in LANGUAGES:
        table.append(
            {
                "lang": lang,
                "kind": "all",
                "positives": len(scores(lang, 1)),
                "negatives": len(scores(lang, 0)),
                "auc": auc(scores(lang, 1), scores(lang, 0)),
            }
        )
        for kind in sorted({r["kind"] for r in rows if r["lang"] == lang and r["label"] == 1}):
            table.append(
                {
                    "lang": lang,
                    "kind": kind,
                    "positives": len(scores(lang, 1, kind)),
                    "negatives": len(scores(lang, 0)),
                    "auc": auc(scores(lang, 1, kind), scores(lang, 0)),
                }
            )
    mild = [r for r in rows if r["label"] == -1]
    if mild:
        table.append(
            {
                "lang": "all",
                "kind": f"mostly in order (< {INTERLEAVED_SHARE} jumps)",
                "positives": len(mild),
                "negatives": len(scores(None, 0)),
                "auc": auc([r["score"] for r in mild], scores(None, 0)),
            }
        )
    total_chars = sum(r["chars"] for r in rows)
    cost: dict[str, Any] = {
        "detect_ms_per_page": round(1000 * detect_seconds / max(len(rows), 1), 3),
        "detect_chars_per_second": round(total_chars / detect_seconds) if detect_seconds else None,
    }
    sample = texts[:engine_pages]
    if sample:
        t0 = time.perf_counter()
        for text in sample:
            deinterleave(text)
        engine = (time.perf_counter() - t0) / len(sample)
        t0 = time.perf_counter()
        for text in sample:
            detect(text)
        cheap = (time.perf_counter() - t0) / len(sample)
        cost.update(
            deinterleave_ms_per_page=round(1000 * engine, 1),
            detect_ms_same_pages=round(1000 * cheap, 3),
            speedup=round(engine / cheap, 1) if cheap else None,
        )
    seed_page = pages / "seed-000.txt"
    real = (
        {"seed-000": round(detect(seed_page.read_bytes().decode("utf-8")), 4)}
        if (seed_page.exists())
        else {}
    )
    return {"split": split, "seed": seed, "table": table, "cost": cost, "real_pages": real}


def markdown(result: dict[str, Any]) -> str:
    lines = [
        "# detect(): interleaved vs clean pages",
        "",
        f"Split `{result['split']}`: generated interleaved pages (positives: at least "
        f"{INTERLEAVED_SHARE:.0%} of the gold piece-to-piece steps jump over other text) vs "
        "clean pages built from the same split's corpus articles (negatives: one paragraph "
        "per line or wrapped at a fixed width, 1-4 articles). Pages an extractor left mostly "
        "in order are scored separately in the last row. Command: "
        "`python -m benchmarks.eval_detect`.",
        "",
        "| language | extractor | positives | negatives | ROC AUC |",
        "|---|---|---:|---:|---:|",
    ]
    lines += [
        f"| {r['lang']} | {r['kind']} | {r['positives']} | {r['negatives']} | {r['auc']} |"
        for r in result["table"]
    ]
    lines += ["", "Cost: " + ", ".join(f"{k} = {v}" for k, v in result["cost"].items()), ""]
    if result.get("real_pages"):
        lines += [
            "Real interleaved pages (not used for fitting): "
            + ", ".join(f"{k} scores {v}" for k, v in result["real_pages"].items()),
            "",
        ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--split", default="test")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--engine-pages", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    result = evaluate(args.corpus, args.pages, args.split, args.seed, args.engine_pages)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "detect.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    (args.out / "detect.md").write_text(markdown(result), encoding="utf-8")
    print(markdown(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
