"""Cut a page into visual lines and whitespace-separated chunks.

This layer decides nothing about reading order; it only names every
non-whitespace character exactly once, with exact code-point offsets, so that
later stages can be lossless by construction.
"""

from __future__ import annotations

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
