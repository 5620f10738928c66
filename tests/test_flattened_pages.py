"""Pages flattened onto one line get lines again before the stages read them.

Some extractors (PyMuPDF asked for plain text without line breaks, a scraper
that strips newlines) join every visual line of a page with spaces. The stages
read line structure, so such a page is relined: a line per chunk in CJK text,
where a space marks a joined visual line, and a line per sentence in Latin
text, where a space is mostly a word gap. These tests pin when that happens,
what it does, and that nothing is lost.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdeinterleave import deinterleave, pipeline
from newsdeinterleave.assembly import verify_lossless
from newsdeinterleave.engine import engine_lines, page_chunks
from newsdeinterleave.segmentation import FLAT_LINE_CHUNKS, is_flattened, split_chunks, unflatten

PAGES = Path(__file__).resolve().parents[1] / "benchmarks" / "pages"


def cjk_flat(lines: int) -> str:
    return " ".join(f"第{k}行文字内容继续" for k in range(lines))


def test_a_page_of_ordinary_lines_is_left_as_it_is() -> None:
    text = "\n".join(f"第{k}行 文字" for k in range(100))
    chunks = split_chunks(text)
    assert not is_flattened(chunks, FLAT_LINE_CHUNKS["cjk"])
    assert unflatten(chunks, cjk=True) == chunks
    assert engine_lines(chunks, "zh") == chunks


def test_cjk_bar_sits_at_the_median_line() -> None:
    bar = FLAT_LINE_CHUNKS["cjk"]
    below = split_chunks(cjk_flat(bar - 1))
    at = split_chunks(cjk_flat(bar))
    assert not is_flattened(below, bar)
    assert is_flattened(at, bar)
    # One long line among many short ones is a long paragraph, not a flattened page.
    mixed = split_chunks(cjk_flat(bar * 3) + "\n" + "\n".join("短行" for _ in range(5)))
    assert not is_flattened(mixed, bar)


def test_flattened_cjk_page_gets_a_line_per_chunk_with_offsets_kept() -> None:
    text = cjk_flat(40)
    chunks = split_chunks(text)
    relined = unflatten(chunks, cjk=True)
    assert [c.line for c in relined] == list(range(len(chunks)))
    assert all(c.first_in_line and c.last_in_line for c in relined)
    assert [(c.start, c.end, c.text, c.index) for c in relined] == [
        (c.start, c.end, c.text, c.index) for c in chunks
    ]


def test_flattened_latin_page_gets_a_line_per_sentence() -> None:
    sentence = "The council met on Monday and agreed the budget for next year."
    text = " ".join([sentence] * 30 + ['He said "it is done."', "Then it ended"])
    chunks = split_chunks(text)
    assert is_flattened(chunks, FLAT_LINE_CHUNKS["latin"])
    relined = engine_lines(chunks, "en")
    lines: dict[int, list[str]] = {}
    for c in relined:
        lines.setdefault(c.line, []).append(c.text)
    assert len(lines) == 32
    assert lines[0] == sentence.split()
    assert lines[30] == ["He", "said", '"it', "is", 'done."']
    assert lines[31] == ["Then", "it", "ended"]
    starts = [c for c in relined if c.first_in_line]
    ends = [c for c in relined if c.last_in_line]
    assert len(starts) == len(ends) == 32


def test_latin_text_is_not_relined_at_the_cjk_bar() -> None:
    """A Latin chunk is a word: a paragraph-joined English page holds 30 words a line."""
    text = "\n".join(" ".join(["word"] * 40) for _ in range(10))
    chunks = split_chunks(text)
    assert engine_lines(chunks, "en") == chunks
    assert engine_lines(chunks, "zh") != chunks


@pytest.mark.parametrize("language", ["zh", "en"])
def test_page_chunks_agree_with_the_engine(language: str) -> None:
    text = cjk_flat(50) if language == "zh" else " ".join(["Words of a page."] * 80)
    assert page_chunks(text, language) == engine_lines(split_chunks(text), language)


@pytest.mark.parametrize(
    ("name", "at_least"),
    [("zh-dev/zh-dev-0006-joined-pymupdf.txt", 6), ("en-dev/en-dev-0006-joined-pymupdf.txt", 4)],
)
def test_flattened_dev_pages_come_back_as_more_articles_losslessly(
    name: str, at_least: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = PAGES / name
    if not path.exists():
        pytest.skip(f"{name} is not in this checkout")
    text = path.read_text(encoding="utf-8")
    assert text.count("\n") <= 1
    relined = deinterleave(text)
    verify_lossless(text, relined)
    monkeypatch.setattr(pipeline, "engine_lines", lambda chunks, language: chunks)
    flat = deinterleave(text)
    verify_lossless(text, flat)
    # Each of these dev pages prints ten articles.
    assert len(relined.articles) >= at_least > len(flat.articles)
