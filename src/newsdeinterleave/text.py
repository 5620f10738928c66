"""Small script-aware text helpers shared by several stages."""

from __future__ import annotations

import unicodedata

import regex

_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\u3000-\u303f\uff00-\uffef]")
_LATIN_LETTER = regex.compile(r"\p{Latin}")


def is_cjk(ch: str) -> bool:
    """CJK ideographs, kana, hangul and full-width forms: joined without spaces."""
    return bool(_CJK.match(ch))


def is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in ("W", "F")


def display_width(s: str) -> int:
    """Columns a string takes in print: wide characters count two."""
    return sum(2 if is_wide(c) else 1 for c in s)


def joiner(left: str, right: str) -> str:
    """What goes between two pieces of one block when reading them in order.

    CJK text is set without spaces; Latin words get one space, except after a
    line-end hyphen that split a word (``exam-`` + ``ple``) where the hyphen is
    dropped (handled by :func:`join_pieces`).
    """
    if not left or not right:
        return ""
    if is_cjk(left[-1]) or is_cjk(right[0]):
        return ""
    return " "


# A space inside CJK text after a run of six or more CJK characters is where an
# extractor joined two visual lines; shorter runs are names and figures (张 咪, 1-6 月)
# whose spaces were printed.
_CJK_TEXT = r"[\p{Han}\u3000-\u303f\uff00-\uffef\u201c\u201d,.;:!?()\"']"
_LINE_JOIN_SPACE = regex.compile(
    rf"(?<={_CJK_TEXT}{{5}}\p{{Han}}|\p{{Han}}{_CJK_TEXT}{{5}})[ \t\u3000\u00a0]+(?=\p{{Han}})"
)


def reading_text(piece: str) -> str:
    """A piece's text as read: visual-line joins inside CJK text lose their space."""
    return str(_LINE_JOIN_SPACE.sub("", piece))


def join_pieces(pieces: list[str]) -> str:
    """Join piece texts as a reader would read them (see FORMAT.md)."""
    out = ""
    for piece in map(reading_text, pieces):
        if not out:
            out = piece
            continue
        if len(out) >= 2 and out[-1] == "-" and out[-2].isalpha() and piece[:1].islower():
            out = out[:-1] + piece
        else:
            out = out + joiner(out, piece) + piece
    return out


def detect_language(text: str) -> str:
    """``zh`` when Han characters dominate letters, ``en`` for Latin, else ``und``."""
    han = latin = 0
    for ch in text[:200_000]:
        if is_cjk(ch):
            han += 1
        elif _LATIN_LETTER.match(ch):
            latin += 1
    if han == 0 and latin == 0:
        return "und"
    return "zh" if han >= latin * 0.25 else "en"
