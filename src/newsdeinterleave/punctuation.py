"""Punctuation classes used by line-breaking rules (CJK kinsoku, Latin sentence ends)."""

from __future__ import annotations

# Characters a CJK line may not start with (closing punctuation, pauses, small kana...).
NO_LINE_START = frozenset("、。，,．.：:；;！!？?）)」』】〕》〉”’\"'…·・～〜%％")
# Characters a line does not end with (opening brackets and quotes).
NO_LINE_END = frozenset("（(「『【〔《〈“‘")
SENTENCE_END = frozenset("。！？!?.…")
CLAUSE_END = frozenset("，,、；;：:")
CLOSERS = frozenset("”’\"'）)」』】〕》〉")
OPENERS = frozenset("（(「『【〔《〈“‘")
BRACKET_PAIRS = {"(": ")", "（": "）", "《": "》", "「": "」", "『": "』", "【": "】", "〈": "〉"}


def strip_closers(s: str) -> str:
    """Drop trailing closing quotes/brackets so that ``。”`` reads as a sentence end."""
    i = len(s)
    while i > 0 and s[i - 1] in CLOSERS:
        i -= 1
    return s[:i]


def ends_sentence(s: str) -> bool:
    core = strip_closers(s)
    return bool(core) and core[-1] in SENTENCE_END


def ends_clause(s: str) -> bool:
    return bool(s) and s[-1] in CLAUSE_END


def unbalanced_open(s: str) -> int:
    """Brackets opened in ``s`` and not closed in it: the next line should close them."""
    depth = 0
    for ch in s:
        if ch in BRACKET_PAIRS:
            depth += 1
        elif ch in BRACKET_PAIRS.values() and depth > 0:
            depth -= 1
    return depth


def leading_close(s: str) -> bool:
    """A closing bracket appears before any opening one: ``s`` continues an open bracket."""
    for ch in s:
        if ch in BRACKET_PAIRS:
            return False
        if ch in BRACKET_PAIRS.values():
            return True
    return False
