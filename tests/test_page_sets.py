"""Held-out page sets: built from one split's articles, never read as that split's pages.

A held-out set (``benchmarks.generate --label xtest --extractors ...``) records its
corpus split in the manifest's ``split`` and its own name in ``set``. The runner
must score it only under its own name, and nothing that reads a split's pages
(training, the dev diagnostics) may pick it up. A set built over the train
articles (an extra training batch such as ``ocr``) is fitted on only when named.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.generate.pipeline import CYCLE, LayoutJob
from benchmarks.run import resolve_sets
from newsdeinterleave.splits import page_set, split_of
from newsdeinterleave.training import fitting_pages, training_pages


def _write_manifest(root: Path, rows: list[dict[str, str]]) -> None:
    root.mkdir(parents=True, exist_ok=True)
    lines = [json.dumps(r) for r in rows]
    (root / "manifest.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def _row(page_id: str, split: str, extractor: str, set_name: str = "") -> dict[str, str]:
    folder = f"en-{set_name or split}"
    row = {
        "page_id": page_id,
        "path": f"{folder}/{page_id}.txt",
        "language": "en",
        "split": split,
        "extractor": extractor,
    }
    return {**row, "set": set_name} if set_name else row


def test_a_held_out_set_is_scored_under_its_own_name_only(tmp_path: Path) -> None:
    _write_manifest(
        tmp_path,
        [
            _row("en-test-0001-pdftotext", "test", "pdftotext"),
            _row("en-xtest-0001-pdftotext-layout", "test", "pdftotext-layout", "xtest"),
        ],
    )
    sets = resolve_sets(["en-test", "en-xtest"], tmp_path, [], None)
    assert [r.extractor for r in sets["en-test"]] == ["pdftotext"]
    assert [r.extractor for r in sets["en-xtest"]] == ["pdftotext-layout"]
    expected = tmp_path / "en-xtest" / "en-xtest-0001-pdftotext-layout.json"
    assert sets["en-xtest"][0].json_path == expected


def test_split_readers_skip_held_out_pages(tmp_path: Path) -> None:
    _write_manifest(
        tmp_path,
        [
            _row("en-test-0001-pdfminer", "test", "pdfminer"),
            _row("en-xtest-0001-pymupdf-sorted", "test", "pymupdf-sorted", "xtest"),
        ],
    )
    assert [p.name for p in training_pages(tmp_path, "en", "test")] == [
        "en-test-0001-pdfminer.json"
    ]


def test_an_extra_train_set_is_fitted_on_only_when_named(tmp_path: Path) -> None:
    _write_manifest(
        tmp_path,
        [
            _row("en-train-0001-pdfminer", "train", "pdfminer"),
            _row("en-ocr-0001-tesseract-psm6", "train", "tesseract-psm6", "ocr"),
            _row("en-xdev-0001-pdftotext-layout", "dev", "pdftotext-layout", "xdev"),
        ],
    )
    names = [p.name for p in fitting_pages(tmp_path, "en", ["train"])]
    assert names == ["en-train-0001-pdfminer.json"]
    names = [p.name for p in fitting_pages(tmp_path, "en", ["train", "ocr"])]
    assert names == ["en-train-0001-pdfminer.json", "en-ocr-0001-tesseract-psm6.json"]


def test_a_set_over_dev_articles_is_never_fitted_on(tmp_path: Path) -> None:
    _write_manifest(
        tmp_path, [_row("en-xdev-0001-pdftotext-layout", "dev", "pdftotext-layout", "xdev")]
    )
    with pytest.raises(ValueError, match="only train articles"):
        fitting_pages(tmp_path, "en", ["train", "xdev"])


def test_a_labelled_layout_uses_its_own_name_and_extractors(tmp_path: Path) -> None:
    standard = LayoutJob("zh", "test", 3, 0, (), tmp_path)
    held_out = LayoutJob(
        "zh", "test", 3, 0, (), tmp_path, "xtest", ("pdftotext-layout", "tesseract-psm4")
    )
    assert standard.key == "zh-test-0003" and standard.variants == CYCLE[2]
    assert held_out.key == "zh-xtest-0003"
    assert held_out.variants == ("pdftotext-layout", "tesseract-psm4")
    assert held_out.page_id("tesseract-psm4") == "zh-xtest-0003-tesseract-psm4"


def test_a_worn_scan_is_disturbed_the_same_way_on_every_rebuild(tmp_path: Path) -> None:
    pytest.importorskip("PIL")
    from PIL import Image, ImageDraw

    from benchmarks.generate.extract import degrade_scan

    page = Image.new("L", (200, 120), 255)
    ImageDraw.Draw(page).text((10, 40), "two columns of old news", fill=0)
    clean = tmp_path / "page.png"
    page.save(clean)
    first = degrade_scan(clean).read_bytes()
    again = degrade_scan(clean).read_bytes()
    assert first == again
    with Image.open(degrade_scan(clean)) as worn:
        assert worn.size == (160, 96)  # scaled to 0.8
        assert worn.tobytes() != page.resize((160, 96)).tobytes()


def test_the_committed_training_batches_hold_train_articles_only() -> None:
    """Every page a fit may read (train split or a named batch) was set from train articles."""
    manifest = Path(__file__).resolve().parents[1] / "benchmarks" / "pages" / "manifest.jsonl"
    rows = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines() if line]
    batches = [r for r in rows if r["split"] == "train" and page_set(r) != "train"]
    assert {page_set(r) for r in batches} == {"ocr"}
    for row in batches:
        assert {split_of(a) for a in row["article_ids"]} == {"train"}, row["page_id"]
