"""Small script-aware text helpers shared by several stages."""

from __future__ import annotations

import unicodedata

import regex

_CJK = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\u3000-\u303f\uff00-\uffef]")
_LATIN_LETTER = regex.compile(r"\p{Latin}")


# Characters of the CJK Radicals Supplement that PDF extractors (pdfminer among them)
# emit in place of the ideograph a font drew with the radical's glyph: ``⺠`` for ``民``,
# ``⻓`` for ``长``. NFKC folds the Kangxi radicals (U+2F00-U+2FD5) but leaves these, so
# a language model would see an unknown character. Only radicals that stand for a
# whole character are listed (Unicode's EquivalentUnifiedIdeograph.txt); the common ones
# were checked against the corpus text the benchmark pages were typeset from.
RADICAL_EQUIVALENTS = {
    "\u2e9f": "母", "\u2ea0": "民", "\u2ea9": "王", "\u2ebc": "月", "\u2ec4": "西",
    "\u2ec5": "见", "\u2ec6": "角", "\u2ec9": "贝", "\u2ecb": "车", "\u2ed1": "長",
    "\u2ed3": "长", "\u2ed4": "门", "\u2ed7": "雨", "\u2ed8": "青", "\u2ed9": "韦",
    "\u2eda": "页", "\u2edb": "风", "\u2edc": "飞", "\u2edd": "食", "\u2ee2": "马",
    "\u2ee3": "骨", "\u2ee4": "鬼", "\u2ee5": "鱼", "\u2ee6": "鸟", "\u2ee7": "卤",
    "\u2ee8": "麦", "\u2ee9": "黄", "\u2eea": "黾", "\u2eec": "齐", "\u2eee": "齿",
    "\u2ef0": "龙", "\u2ef1": "龜", "\u2ef2": "亀", "\u2ef3": "龟",
}  # fmt: skip
_RADICALS = str.maketrans(RADICAL_EQUIVALENTS)


def fold_compatibility(text: str) -> str:
    """NFKC plus the radical-supplement table: one form for characters that read the same."""
    return unicodedata.normalize("NFKC", text).translate(_RADICALS)


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
