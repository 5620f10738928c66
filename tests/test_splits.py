"""The benchmark pages respect the corpus split, so test scores are not training scores.

Everything is read from ``benchmarks/pages/manifest.jsonl`` (written by the
page generator); while it does not exist these tests skip with a reason.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from newsdeinterleave.splits import split_of

PAGES = Path(__file__).resolve().parents[1] / "benchmarks" / "pages"
MANIFEST = PAGES / "manifest.jsonl"
SEED = PAGES / "seed-000.txt"
SHINGLE = 30  # whitespace-free characters; long enough that sharing one means shared text


def _rows() -> list[dict[str, Any]]:
    if not MANIFEST.exists():
        pytest.skip("benchmarks/pages/manifest.jsonl not generated yet")
    with open(MANIFEST, encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _ids_by_split(rows: list[dict[str, Any]]) -> dict[str, set[str]]:
    by_split: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        by_split[row["split"]].update(row["article_ids"])
    return by_split


def _page_text(row: dict[str, Any]) -> str:
    path = PAGES / row["path"]
    if path.suffix == ".json":
        gold = json.loads(path.read_text(encoding="utf-8"))
        path = path.parent / gold["text_file"]
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


def _shingles(text: str) -> set[str]:
    dense = "".join(ch for ch in text if not ch.isspace())
    return {dense[i : i + SHINGLE] for i in range(len(dense) - SHINGLE + 1)}


def test_manifest_rows_are_complete() -> None:
    rows = _rows()
    assert rows, "manifest.jsonl is empty"
    required = {"page_id", "path", "language", "split", "extractor", "article_ids"}
    for row in rows:
        assert required <= row.keys(), (row.get("page_id"), required - row.keys())
        assert row["split"] in ("train", "dev", "test"), row["page_id"]
        assert (PAGES / row["path"]).exists(), row["path"]
    page_ids = [row["page_id"] for row in rows]
    assert len(page_ids) == len(set(page_ids)), "page ids repeat"


def test_test_articles_never_appear_in_train_or_dev_pages() -> None:
    by_split = _ids_by_split(_rows())
    assert not by_split["test"] & by_split["train"]
    assert not by_split["test"] & by_split["dev"]


def test_dev_articles_never_appear_in_train_pages() -> None:
    by_split = _ids_by_split(_rows())
    assert not by_split["dev"] & by_split["train"]


def test_every_article_belongs_to_its_page_split() -> None:
    wrong = [
        (row["page_id"], article_id, split_of(article_id))
        for row in _rows()
        for article_id in row["article_ids"]
        if split_of(article_id) != row["split"]
    ]
    assert not wrong, wrong[:10]


def test_seed_page_is_not_training_material() -> None:
    rows = _rows()
    assert not any(str(row["page_id"]).startswith("seed") for row in rows if row["split"] != "test")
    seed = _shingles(SEED.read_text(encoding="utf-8"))
    leaks = [
        row["page_id"]
        for row in rows
        if row["split"] in ("train", "dev") and seed & _shingles(_page_text(row))
    ]
    assert not leaks, f"pages sharing {SHINGLE}-char runs with the seed page: {leaks[:10]}"
