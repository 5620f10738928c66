"""Cut a page into visual lines and whitespace-separated chunks.

This layer decides nothing about reading order; it only names every
non-whitespace character exactly once, with exact code-point offsets, so that
later stages can be lossless by construction.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Line terminators we honour: LF, CRLF, CR, NEL, VT, FF, LINE SEPARATOR,
# PARAGRAPH SEPARATOR and the ASCII file/group/record separators, i.e. what
# ``str.splitlines`` treats as a break.
LINE_BREAKS = frozenset("\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")


@dataclass(frozen=True, slots=True)
class Line:
    """One visual line: ``text[start:end]`` without its terminator."""

    index: int
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Chunk:
    """A maximal run of non-whitespace characters inside one line."""

    index: int
    line: int
    start: int
    end: int
    text: str
    first_in_line: bool
    last_in_line: bool


def split_lines(text: str) -> list[Line]:
    """Lines with offsets into ``text``; a CRLF pair is one terminator."""
    lines: list[Line] = []
    start = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in LINE_BREAKS:
            lines.append(Line(len(lines), start, i))
            if ch == "\r" and i + 1 < n and text[i + 1] == "\n":
                i += 1
            start = i + 1
        i += 1
    lines.append(Line(len(lines), start, n))
    return lines


def split_chunks(text: str, lines: list[Line] | None = None) -> list[Chunk]:
    """Every maximal non-whitespace run, in input order.

    Whitespace is anything ``str.isspace`` accepts (ASCII space, tab, U+3000,
    NBSP...), so the union of chunks is exactly the page's non-whitespace
    characters.
    """
    chunks: list[Chunk] = []
    for line in lines if lines is not None else split_lines(text):
        line_chunks: list[tuple[int, int]] = []
        i = line.start
        while i < line.end:
            if text[i].isspace():
                i += 1
                continue
            j = i + 1
            while j < line.end and not text[j].isspace():
                j += 1
            line_chunks.append((i, j))
            i = j
        for k, (s, e) in enumerate(line_chunks):
            chunks.append(
                Chunk(
                    index=len(chunks),
                    line=line.index,
                    start=s,
                    end=e,
                    text=text[s:e],
                    first_in_line=k == 0,
                    last_in_line=k == len(line_chunks) - 1,
                )
            )
    return chunks


# A page whose lines hold at least this many chunks (median over its lines) was
# flattened: the extractor joined every visual line of the page, paragraphs and
# articles too, with spaces. A CJK chunk is about a visual line, and no row of
# columns and hardly any paragraph holds 30 of them; a Latin chunk is a word, and
# 200 words is some 20 visual lines. On the dev and train pages the other
# extractors' medians are at most 12 (zh) and 29 (en), flattened pages' at least
# 321 and 1 673. The CJK bar was chosen on zh-dev (session 14): at 5 or 8 a
# paragraph-joined page was caught as well and lost perfect articles.
FLAT_LINE_CHUNKS = {"cjk": 30, "latin": 200}
# A Latin chunk ending a sentence: . ! or ? and any closing quotes or brackets.
SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*$")


def is_flattened(chunks: list[Chunk], min_chunks: int) -> bool:
    """Whether the page's lines hold so many chunks that they carry no line structure."""
    if not chunks:
        return False
    per_line: dict[int, int] = {}
    for chunk in chunks:
        per_line[chunk.line] = per_line.get(chunk.line, 0) + 1
    counts = sorted(per_line.values())
    return counts[len(counts) // 2] >= min_chunks


def unflatten(chunks: list[Chunk], cjk: bool) -> list[Chunk]:
    """The chunks of a flattened page given lines again; other pages as they are.

    Why: the stages were fitted on pages with line structure, and on a page
    flattened onto one line nothing tells them where a headline stands alone
    or a paragraph ends (zh-dev flattened PyMuPDF pages came out as a few
    run-together articles: B-cubed F1 39.9, 0 of 30 titles). In CJK text a
    space inside a line marks where the extractor joined two visual lines (or
    spliced two columns), so each chunk gets a line of its own (F1 88.3, 12
    titles). Latin text has no such mark, since a space is mostly a word gap,
    so each sentence gets a line, as if the extractor had joined a paragraph's
    lines (en-dev: F1 26.0 -> 69.3, titles 0 -> 4). Offsets are unchanged, so
    the result stays lossless.
    """
    if not is_flattened(chunks, FLAT_LINE_CHUNKS["cjk" if cjk else "latin"]):
        return chunks
    out: list[Chunk] = []
    line = 0
    for k, c in enumerate(chunks):
        first = cjk or k == 0 or bool(SENTENCE_END.search(chunks[k - 1].text))
        last = cjk or k == len(chunks) - 1 or bool(SENTENCE_END.search(c.text))
        line += int(first and k > 0)
        out.append(
            Chunk(
                index=c.index,
                line=line,
                start=c.start,
                end=c.end,
                text=c.text,
                first_in_line=first,
                last_in_line=last,
            )
        )
    return out


# Punctuation CJK typesetting never sets at the start of a line (closing marks,
# commas, stops). A run of it opening a CJK chunk that goes on with text is
# OCR's trace of a column seam: Tesseract glues a stray comma or closing quote,
# read from the gutter or the next column's line end, onto the first characters
# of the neighbouring column's row (zh-dev Tesseract psm6: 101 of the 107
# chunks opening with a comma start another column's text there).
STRAY_LEAD = frozenset("，、。：；！？）」』】〕》〉”’")
STRAY_LEAD_MAX = 3


def split_stray_punctuation(chunks: list[Chunk]) -> list[Chunk]:
    """CJK chunks that open with a run of :data:`STRAY_LEAD` lose it to a chunk of its own.

    Why: a splice is only ever cut at a gap between chunks, and this seam has
    no whitespace, so without the cut the next column's row stays glued to
    whatever precedes it on the line. The gap made here is judged by the
    splice model like any other; offsets are unchanged, so nothing is lost.
    """
    out: list[Chunk] = []
    for c in chunks:
        lead = 0
        while lead < min(len(c.text), STRAY_LEAD_MAX + 1) and c.text[lead] in STRAY_LEAD:
            lead += 1
        parts = [(c.start, c.end)]
        if 0 < lead <= STRAY_LEAD_MAX and lead < len(c.text) and c.text[lead].isalnum():
            parts = [(c.start, c.start + lead), (c.start + lead, c.end)]
        for k, (s, e) in enumerate(parts):
            out.append(
                Chunk(
                    index=len(out),
                    line=c.line,
                    start=s,
                    end=e,
                    text=c.text[s - c.start : e - c.start],
                    first_in_line=c.first_in_line and k == 0,
                    last_in_line=c.last_in_line and k == len(parts) - 1,
                )
            )
    return out


@dataclass(frozen=True, slots=True)
class Fragment:
    """The unit the engine links: one or more consecutive chunks of one line.

    In CJK text every chunk is a fragment (extractors join visual lines and
    splice columns with spaces, and CJK prose has almost no inner spaces). In
    Latin text a word is far too small a unit, so chunks are grouped into
    line pieces, split where the line was spliced from several columns.
    """

    index: int
    start: int
    end: int
    text: str
    line: int
    first_in_line: bool
    last_in_line: bool
    chunk_start: int
    chunk_end: int


def group_fragments(
    text: str, chunks: list[Chunk], breaks: set[int] | None = None
) -> list[Fragment]:
    """Group chunks into fragments, cutting before chunk ``k`` for every ``k`` in ``breaks``.

    A new line always starts a new fragment. ``breaks=None`` cuts at every
    chunk boundary.
    """
    groups: list[list[Chunk]] = []
    for chunk in chunks:
        if not groups or chunk.first_in_line or breaks is None or chunk.index in breaks:
            groups.append([chunk])
        else:
            groups[-1].append(chunk)
    fragments: list[Fragment] = []
    for group in groups:
        first, last = group[0], group[-1]
        fragments.append(
            Fragment(
                index=len(fragments),
                start=first.start,
                end=last.end,
                text=text[first.start : last.end],
                line=first.line,
                first_in_line=first.first_in_line,
                last_in_line=last.last_in_line,
                chunk_start=first.index,
                chunk_end=last.index + 1,
            )
        )
    return fragments
