"""Fit the coefficients of ``newsdeinterleave.detect`` and write ``data/detect.json``.

Positives are the generated interleaved TRAIN pages (``benchmarks/pages/<lang>-train``,
listed in ``manifest.jsonl``); negatives are clean pages built from TRAIN-split
corpus articles (title + paragraphs, one paragraph per line or wrapped at a
fixed width, one to four articles per page). Only the train split is touched,
so ``eval_detect.py`` can report honest numbers on test pages.

    python -m benchmarks.fit_detect [--corpus /work/shared/corpus] [--pages benchmarks/pages]

The page builders here (``clean_page``, ``interleaved_page``) are also used by
``eval_detect.py`` and ``perf.py``.
"""

from __future__ import annotations

import argparse
import json
import random
import textwrap
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from newsdeinterleave.detect import FEATURES, features
from newsdeinterleave.splits import page_set, split_of

ROOT = Path(__file__).resolve().parent
DEFAULT_CORPUS = Path("/work/shared/corpus")
DEFAULT_PAGES = ROOT / "pages"
MODEL_PATH = ROOT.parent / "src" / "newsdeinterleave" / "data" / "detect.json"
LANGUAGES = ("zh", "en")


@dataclass(frozen=True)
class CorpusArticle:
    id: str
    title: str
    paragraphs: tuple[str, ...]


def load_articles(corpus: Path, lang: str, split: str) -> list[CorpusArticle]:
    """Corpus articles of one split, in a stable order."""
    out: list[CorpusArticle] = []
    with (corpus / f"{lang}-dev.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            record = json.loads(line)
            if split_of(record["id"]) == split:
                out.append(
                    CorpusArticle(record["id"], record["title"], tuple(record["paragraphs"]))
                )
    return sorted(out, key=lambda a: a.id)


def wrap(text: str, width: int, lang: str) -> list[str]:
    """Fixed-width wrapping: by characters for Chinese, at word boundaries for English."""
    if lang == "zh":
        return [text[i : i + width] for i in range(0, len(text), width)] or [""]
    return textwrap.wrap(text, width, break_on_hyphens=False) or [""]


def article_lines(article: CorpusArticle, width: int | None, lang: str) -> list[str]:
    lines = [article.title] if width is None else wrap(article.title, width, lang)
    for paragraph in article.paragraphs:
        lines.extend([paragraph] if width is None else wrap(paragraph, width, lang))
    return lines


def column_width(rng: random.Random, lang: str) -> int:
    return rng.randint(12, 24) if lang == "zh" else rng.randint(28, 48)


def clean_page(articles: Sequence[CorpusArticle], rng: random.Random, lang: str) -> str:
    """A correctly ordered page: one paragraph per line, or wrapped at one fixed width."""
    width = (
        None
        if rng.random() < 0.5
        else rng.choice(
            [column_width(rng, lang), rng.randint(30, 45) if lang == "zh" else rng.randint(60, 100)]
        )
    )
    blank_between_paragraphs = rng.random() < 0.3
    lines: list[str] = []
    for article in articles:
        if lines:
            lines.append("")
        for line in article_lines(article, width, lang):
            lines.append(line)
            if blank_between_paragraphs and width is None:
                lines.append("")
    return "\n".join(lines) + "\n"


def interleaved_page(
    articles: Sequence[CorpusArticle],
    rng: random.Random,
    lang: str,
    *,
    columns: int | None = None,
    height: int | None = None,
) -> str:
    """Columns set side by side and read across, as a naive extractor does.

    The articles flow through ``columns`` columns of ``height`` lines; each
    output line joins the same line of every column with a gutter of spaces.
    """
    cols = columns or rng.randint(2, 4)
    rows = height or rng.randint(25, 60)
    width = column_width(rng, lang)
    gap = " " * rng.choice([1, 1, 2, 3, 4])
    stream = [line for a in articles for line in article_lines(a, width, lang)]
    out: list[str] = []
    block = cols * rows
    for top in range(0, len(stream), block):
        chunk = stream[top : top + block]
        parts = [chunk[c * rows : (c + 1) * rows] for c in range(cols)]
        for r in range(rows):
            cells = [p[r] for p in parts if r < len(p)]
            if cells:
                out.append(gap.join(cells).rstrip())
    return "\n".join(out) + "\n"


def page_articles(
    pool: Sequence[CorpusArticle], rng: random.Random, low: int, high: int
) -> list[CorpusArticle]:
    return [pool[rng.randrange(len(pool))] for _ in range(rng.randint(low, high))]


INTERLEAVED_SHARE = 0.3


def broken_share(gold: dict[str, Any], text: str) -> float:
    """Share of piece-to-piece steps in the gold articles that jump over other text.

    Near 0 for an extractor that read the columns in order (only block-level
    jumps remain), near 1 for columns read straight across.
    """
    steps = broken = 0
    for article in gold["articles"]:
        pieces = article["pieces"]
        for p, q in zip(pieces, pieces[1:], strict=False):
            steps += 1
            between = text[p["end"] : q["start"]] if q["start"] >= p["end"] else "x"
            broken += bool(between.strip())
    return broken / steps if steps else 0.0


def generated_pages(pages: Path, lang: str, split: str) -> Iterator[tuple[str, str, str, float]]:
    """``(page_id, extractor, text, broken_share)`` of the generated pages of one split."""
    folder = pages / f"{lang}-{split}"
    manifest = folder / "manifest.jsonl"
    if not manifest.exists():
        manifest = pages / "manifest.jsonl"
    if not manifest.exists():
        return
    for line in manifest.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        entry = json.loads(line)
        if entry.get("language") != lang or page_set(entry) != split:
            continue
        path = pages / entry["path"]
        gold_path = path.with_suffix(".json")
        if path.exists() and gold_path.exists():
            text = path.read_bytes().decode("utf-8")
            share = broken_share(json.loads(gold_path.read_text(encoding="utf-8")), text)
            yield entry["page_id"], str(entry.get("extractor", "")), text, share


@dataclass
class Dataset:
    rows: list[list[float]]
    labels: list[int]
    kinds: list[str]

    def add(self, text: str, label: int, kind: str) -> None:
        values = features(text)
        self.rows.append([values[name] for name in FEATURES])
        self.labels.append(label)
        self.kinds.append(kind)

    def arrays(self) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
        return np.asarray(self.rows, dtype=np.float64), np.asarray(self.labels, dtype=np.int64)


def build_dataset(
    corpus: Path, pages: Path, split: str, seed: int, *, min_generated: int = 40
) -> Dataset:
    """Generated interleaved pages (label 1) and as many clean pages (label 0) per language.

    A generated page counts as interleaved when at least ``INTERLEAVED_SHARE``
    of its gold steps jump; pages below that (an extractor that mostly kept
    the column order) are left out of the fit as neither clean nor broken.
    If fewer than ``min_generated`` generated pages exist for a language, the
    positives are topped up with :func:`interleaved_page` pages so that a
    fit is still possible; the counts are recorded in the model file.
    """
    data = Dataset([], [], [])
    for lang in LANGUAGES:
        rng = random.Random(f"{seed}-{lang}-{split}")
        pool = load_articles(corpus, lang, split)
        generated = 0
        for _, extractor, text, share in generated_pages(pages, lang, split):
            if share >= INTERLEAVED_SHARE:
                data.add(text, 1, f"{lang}:generated:{extractor}")
                generated += 1
        for _ in range(max(0, min_generated - generated)):
            data.add(
                interleaved_page(page_articles(pool, rng, 2, 6), rng, lang), 1, f"{lang}:synthetic"
            )
        positives = max(generated, min_generated)
        for _ in range(positives):
            data.add(clean_page(page_articles(pool, rng, 1, 4), rng, lang), 0, f"{lang}:clean")
    return data


def fit(data: Dataset, c: float) -> dict[str, Any]:
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score

    x, y = data.arrays()
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, class_weight="balanced", max_iter=2000)
    model.fit((x - mean) / scale, y)
    train_scores = model.predict_proba((x - mean) / scale)[:, 1]
    return {
        "format": "newsdeinterleave-detect/1",
        "note": "fitted by benchmarks/fit_detect.py on train-split pages only",
        "features": list(FEATURES),
        "weights": [round(float(w), 6) for w in model.coef_[0]],
        "bias": round(float(model.intercept_[0]), 6),
        "mean": [round(float(m), 6) for m in mean],
        "scale": [round(float(s), 6) for s in scale],
        "training": {
            "C": c,
            "pages": int(len(y)),
            "positives": int(y.sum()),
            "kinds": dict(sorted(_kind_counts(data.kinds).items())),
            "train_auc": round(float(roc_auc_score(y, train_scores)), 4),
        },
    }


def _kind_counts(kinds: Sequence[str]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for kind in kinds:
        key = ":".join(kind.split(":")[:2])
        counts[key] = counts.get(key, 0) + 1
    return counts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--pages", type=Path, default=DEFAULT_PAGES)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--C", dest="c", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    args = parser.parse_args(argv)
    data = build_dataset(args.corpus, args.pages, "train", args.seed)
    model = fit(data, args.c)
    args.out.write_text(json.dumps(model, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(model["training"], indent=2))
    for name, weight in zip(FEATURES, model["weights"], strict=True):
        print(f"{name:>12} {weight:+.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
