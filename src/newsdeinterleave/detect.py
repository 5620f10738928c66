"""Cheap triage: how likely is a page column-interleaved?

Pipelines run :func:`detect` on every page and :func:`deinterleave` only on
pages that score high. It costs one pass over the text: a handful of
page-level features combined by a logistic model whose coefficients are
fitted offline (``benchmarks/fit_detect.py``) and shipped in
``data/detect.json``. Everything is computed from the page itself (no corpus
statistics at run time), so it works for any page length and language the
model was fitted on.
"""

from __future__ import annotations

import json
import math
import statistics
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import regex

FEATURES = (
    "cjk_gap",
    "wide_gap",
    "open_end",
    "bad_start",
    "next_seen",
    "skip_better",
    "open_blank",
    "mid_hyphen",
    "stop_lower",
    "lower_cap",
    "len_cv",
    "short_lines",
)
TERMINAL = set("。！？!?.…”」』\"'）)")
CLOSING_START = set("，。、；：！？）》」』】”’,.;:!?)]}")
MAX_CHARS = 400_000  # a sample this large already decides; keeps detect() cheap


@dataclass(frozen=True)
class DetectModel:
    """Standardised logistic regression: ``sigmoid(bias + sum(w * (x - mean) / scale))``."""

    weights: tuple[float, ...]
    bias: float
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    features: tuple[str, ...] = FEATURES

    def score(self, values: dict[str, float]) -> float:
        z = self.bias
        for name, w, m, s in zip(self.features, self.weights, self.mean, self.scale, strict=True):
            z += w * (values[name] - m) / (s or 1.0)
        return 1.0 / (1.0 + math.exp(-max(-60.0, min(60.0, z))))


@lru_cache(maxsize=1)
def load_model() -> DetectModel:
    """The shipped coefficients (read once per process; the file is immutable package data)."""
    raw = json.loads(resources.files("newsdeinterleave").joinpath("data/detect.json").read_text())
    if tuple(raw["features"]) != FEATURES:
        raise RuntimeError(
            f"data/detect.json was fitted for features {raw['features']}, but this version "
            f"computes {list(FEATURES)}; refit with: python -m benchmarks.fit_detect"
        )
    return DetectModel(
        weights=tuple(raw["weights"]),
        bias=float(raw["bias"]),
        mean=tuple(raw["mean"]),
        scale=tuple(raw["scale"]),
        features=tuple(raw["features"]),
    )


# Latin-script seams: a hyphenated word split mid-line ("exam- ple"), a sentence
# end followed by a lowercase word, a lowercase word followed by a capitalised one.
_MID_HYPHEN = regex.compile(r"\p{Ll}-\s+\p{Ll}")
_STOP_LOWER = regex.compile(r"[.!?]\s+\p{Ll}")
_LOWER_CAP = regex.compile(r"\b\p{Ll}{2,}\s+\p{Lu}\p{Ll}")
_CJK_CLASS = r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\u3001-\u303f\uff00-\uffef]"
_CJK_GAP = regex.compile(rf"{_CJK_CLASS}\s+\S|\S\s+{_CJK_CLASS}")
# A CJK character is a token on its own; other letters and digits form words.
_TOKEN = regex.compile(
    r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]|[^\W_\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]+"
)


def _has_cjk_gap(line: str) -> bool:
    """Whitespace inside a line next to a CJK character.

    Clean CJK prose has no spaces; merged columns leave one at every seam.
    """
    return _CJK_GAP.search(line) is not None


def _has_wide_gap(line: str) -> bool:
    """Two or more blanks (or a tab) between text: the gutter between two columns."""
    return "\t" in line or "  " in line or "\u3000" in line


def _continuity(lines: list[str]) -> tuple[float, float]:
    """How well each line break reads as a continuation, judged by the page's own bigrams.

    A token is a CJK character or a Latin word. For every break inside a word
    run (no punctuation on either side) we look up the bigram (last token of
    the line, first token of the next line) among the bigrams seen *within*
    lines of the same page. Returns the share of such breaks whose bigram is
    seen, and the share where a line two to four lines further down continues
    better than the next one, which is the signature of columns read across.
    """
    tokens = [_TOKEN.findall(line.lower()) for line in lines]
    inner: Counter[tuple[str, str]] = Counter()
    for row in tokens:
        inner.update(zip(row, row[1:], strict=False))
    breaks = seen = better = 0
    for i, line in enumerate(lines[:-1]):
        if not tokens[i] or not tokens[i + 1] or not _is_token_char(line[-1]):
            continue
        if not _is_token_char(lines[i + 1][0]):
            continue
        last = tokens[i][-1]
        breaks += 1
        here = inner[(last, tokens[i + 1][0])]
        seen += here > 0
        later = max(
            (
                inner[(last, tokens[j][0])]
                for j in range(i + 2, min(i + 5, len(lines)))
                if tokens[j]
            ),
            default=0,
        )
        better += later > here
    if not breaks:
        return 0.0, 0.0
    return seen / breaks, better / breaks


def _is_token_char(ch: str) -> bool:
    return ch.isalnum()


def features(page_text: str) -> dict[str, float]:
    """The page-level features the model scores (all roughly in [0, 1])."""
    text = page_text[:MAX_CHARS]
    raw = [line.strip() for line in text.splitlines()]
    lines = [line for line in raw if line]
    n = len(lines)
    if n < 2:
        return dict.fromkeys(FEATURES, 0.0)
    widths = [len(line) for line in lines]  # code points: the spread is what matters
    median = statistics.median(widths)
    mean = statistics.fmean(widths)
    cv = statistics.pstdev(widths) / mean if mean else 0.0

    open_end = bad_start = 0
    for prev, nxt in zip(lines, lines[1:], strict=False):
        ends_open = prev[-1] not in TERMINAL
        open_end += ends_open
        first = nxt[0]
        if first in CLOSING_START or (not ends_open and first.islower()):
            bad_start += 1
    next_seen, skip_better = _continuity(lines)
    open_blank = sum(
        1 for a, b in zip(raw, raw[1:], strict=False) if a and not b and a[-1] not in TERMINAL
    )
    pairs = n - 1
    return {
        "cjk_gap": sum(map(_has_cjk_gap, lines)) / n,
        "wide_gap": sum(map(_has_wide_gap, lines)) / n,
        "open_end": open_end / pairs,
        "bad_start": bad_start / pairs,
        "next_seen": next_seen,
        "skip_better": skip_better,
        "open_blank": open_blank / n,
        "mid_hyphen": sum(bool(_MID_HYPHEN.search(line)) for line in lines) / n,
        "stop_lower": sum(bool(_STOP_LOWER.search(line)) for line in lines) / n,
        "lower_cap": sum(bool(_LOWER_CAP.search(line)) for line in lines) / n,
        "len_cv": min(cv, 2.0) / 2.0,
        "short_lines": sum(w < 0.5 * median for w in widths) / n,
    }


def detect(page_text: str) -> float:
    """Probability-like score in [0, 1] that ``page_text`` has interleaved columns."""
    if not isinstance(page_text, str):
        raise TypeError(f"detect() takes str, not {type(page_text).__name__}")
    return load_model().score(features(page_text))
