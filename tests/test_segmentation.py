"""Segmentation names every non-whitespace character once, with exact offsets.

Everything downstream (spans, losslessness) rests on these offsets, so they
are pinned both by hand-written cases for each line terminator and separator
and by properties against Python's own ``str.splitlines`` / ``str.isspace``.
"""

from __future__ import annotations

from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import LINE_ENDINGS, WHITESPACE, arbitrary_text, interleaved_pages

from newsdeinterleave.engine import engine_lines
from newsdeinterleave.segmentation import (
    LINE_BREAKS,
    split_chunks,
    split_lines,
    split_stray_punctuation,
)


def line_texts(text: str) -> list[str]:
    return [text[line.start : line.end] for line in split_lines(text)]


def expected_lines(text: str) -> list[str]:
    """``str.splitlines`` plus the empty last line after a final terminator (or of ``""``)."""
    parts = text.splitlines()
    if not text or text[-1] in LINE_BREAKS:
        parts.append("")
    return parts


@pytest.mark.parametrize(
    "ending", ["\n", "\r\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1e"]
)
def test_each_terminator_ends_a_line(ending: str) -> None:
    text = f"first{ending}second{ending}third"
    lines = split_lines(text)
    assert line_texts(text) == ["first", "second", "third"]
    assert [line.index for line in lines] == [0, 1, 2]
    assert lines[1].start == len("first") + len(ending)


def test_crlf_is_one_terminator_but_lf_cr_is_two() -> None:
    assert line_texts("a\r\nb") == ["a", "b"]
    assert line_texts("a\n\rb") == ["a", "", "b"]
    assert line_texts("a\r\r\nb") == ["a", "", "b"]


def test_mixed_line_endings_keep_exact_offsets() -> None:
    text = "一\r\n二\r三\n四\u2028五\u2029六\x85七"
    lines = split_lines(text)
    assert line_texts(text) == list("一二三四五六七")
    for line in lines:
        assert text[line.start : line.end] == "一二三四五六七"[line.index]


def test_empty_text_and_trailing_terminator_give_an_empty_last_line() -> None:
    assert [(ln.start, ln.end) for ln in split_lines("")] == [(0, 0)]
    assert line_texts("a\n") == ["a", ""]
    assert line_texts("\n\n") == ["", "", ""]


def test_tab_and_spaces_do_not_end_lines() -> None:
    assert line_texts("a\tb c\u3000d\u00a0e") == ["a\tb c\u3000d\u00a0e"]


@pytest.mark.parametrize("separator", [" ", "\t", "\u3000", "\u00a0", "\u2009", "\u202f"])
def test_chunks_split_at_every_kind_of_space(separator: str) -> None:
    text = f"株洲{separator}经开区{separator * 2}abc"
    chunks = split_chunks(text)
    assert [c.text for c in chunks] == ["株洲", "经开区", "abc"]
    for c in chunks:
        assert text[c.start : c.end] == c.text


def test_chunk_fields_describe_their_line() -> None:
    text = "  ab cd \r\n\r\nef\u2028 gh"
    chunks = split_chunks(text)
    assert [(c.text, c.line, c.first_in_line, c.last_in_line) for c in chunks] == [
        ("ab", 0, True, False),
        ("cd", 0, False, True),
        ("ef", 2, True, True),
        ("gh", 3, True, True),
    ]
    assert [c.index for c in chunks] == [0, 1, 2, 3]
    assert (chunks[0].start, chunks[0].end) == (2, 4)
    assert (chunks[3].start, chunks[3].end) == (len(text) - 2, len(text))


def test_no_chunks_in_whitespace_only_text() -> None:
    assert split_chunks("") == []
    assert split_chunks(WHITESPACE) == []
    assert split_chunks("\r\n".join(LINE_ENDINGS)) == []


def test_precomputed_lines_give_the_same_chunks() -> None:
    text = "a b\nc\r\nd  e"
    assert split_chunks(text, split_lines(text)) == split_chunks(text)


@given(arbitrary_text())
def test_lines_match_str_splitlines(text: str) -> None:
    lines = split_lines(text)
    assert line_texts(text) == expected_lines(text)
    assert [line.index for line in lines] == list(range(len(lines)))
    assert lines[0].start == 0 and lines[-1].end == len(text)
    for before, after in zip(lines, lines[1:], strict=False):
        terminator = text[before.end : after.start]
        assert terminator == "\r\n" or (len(terminator) == 1 and terminator in LINE_BREAKS)


def _check_chunks(text: str) -> None:
    chunks = split_chunks(text)
    covered = bytearray(len(text))
    previous_end = 0
    for k, chunk in enumerate(chunks):
        assert chunk.index == k
        assert previous_end <= chunk.start < chunk.end <= len(text)
        assert chunk.text == text[chunk.start : chunk.end]
        assert not any(ch.isspace() for ch in chunk.text)
        # Maximal: the characters around a chunk are whitespace (or the text's ends).
        assert chunk.start == 0 or text[chunk.start - 1].isspace()
        assert chunk.end == len(text) or text[chunk.end].isspace()
        for i in range(chunk.start, chunk.end):
            covered[i] = 1
        previous_end = chunk.end
    uncovered = "".join(ch for i, ch in enumerate(text) if not covered[i])
    assert not uncovered or uncovered.isspace()
    by_line: dict[int, list[int]] = {}
    for chunk in chunks:
        by_line.setdefault(chunk.line, []).append(chunk.index)
    lines = split_lines(text)
    for line_index, members in by_line.items():
        line = lines[line_index]
        assert all(line.start <= chunks[i].start and chunks[i].end <= line.end for i in members)
        assert [chunks[i].first_in_line for i in members] == [True] + [False] * (len(members) - 1)
        assert [chunks[i].last_in_line for i in members] == [False] * (len(members) - 1) + [True]


@given(arbitrary_text())
def test_chunks_are_exactly_the_non_whitespace_runs(text: str) -> None:
    _check_chunks(text)


@given(interleaved_pages)
def test_chunks_of_realistic_pages(text: str) -> None:
    _check_chunks(text)


@given(
    st.lists(st.text(alphabet="ab株", min_size=1, max_size=5), max_size=8),
    st.sampled_from(WHITESPACE),
)
def test_chunks_recover_words_joined_by_any_whitespace(words: list[str], space: str) -> None:
    assert [c.text for c in split_chunks(space.join(words))] == words


def test_a_stray_comma_glued_to_the_next_columns_row_gets_a_chunk_of_its_own() -> None:
    # Tesseract reads a two-column row as "<left row> ，<right row>": the comma
    # cannot open a CJK line, so the right row's text starts after it.
    text = "今年，四川将巩固实 ，施能源化工\n”农机专业队伍 好基础。"
    chunks = split_stray_punctuation(split_chunks(text))
    assert [c.text for c in chunks] == [
        *("今年，四川将巩固实", "，", "施能源化工"),
        *("”", "农机专业队伍", "好基础。"),
    ]
    assert [c.index for c in chunks] == list(range(len(chunks)))
    assert [c.line for c in chunks] == [0, 0, 0, 1, 1, 1]
    assert [c.first_in_line for c in chunks] == [True, False, False, True, False, False]
    assert [c.last_in_line for c in chunks] == [False, False, True, False, False, True]
    assert all(text[c.start : c.end] == c.text for c in chunks)


@pytest.mark.parametrize(
    "chunk",
    [
        "（新华社）",  # an opening bracket may open a line
        "——后续将按计划",  # so may a dash
        "“当前是玉米",  # and an opening quote
        "，。",  # punctuation with no text after it stays whole
        "，，，，施工",  # a run longer than a stray mark is left to the splice model as it is
        "施工，进展",  # a comma inside the text is not at the chunk's start
    ],
)
def test_chunks_that_may_open_a_line_stay_whole(chunk: str) -> None:
    assert [c.text for c in split_stray_punctuation(split_chunks(chunk))] == [chunk]


def test_only_cjk_pages_split_stray_punctuation() -> None:
    text = "施工 ，进展 ,then"
    zh = engine_lines(split_chunks(text), "zh")
    en = engine_lines(split_chunks(text), "en")
    assert [c.text for c in zh] == ["施工", "，", "进展", ",then"]
    assert [c.text for c in en] == ["施工", "，进展", ",then"]


@given(arbitrary_text())
def test_splitting_stray_punctuation_keeps_every_character_once(text: str) -> None:
    chunks = split_stray_punctuation(split_chunks(text))
    assert "".join(c.text for c in chunks) == "".join(ch for ch in text if not ch.isspace())
    assert all(text[c.start : c.end] == c.text and c.text for c in chunks)
    assert all(a.end <= b.start for a, b in pairwise(chunks))
