"""General-English word bigrams, measured as a second word model and not shipped.

Why it was tried: the shipped word model (``word_model``) is counted from
under a million words of 1987 newswire, so most word pairs of a page were
never seen in it and its score falls back to unigrams. symspellpy, a
well-kept MIT package on PyPI, ships the 242 342 most frequent English
bigrams with their Google Books counts and 82 765 word counts; their
pointwise mutual information is a corpus-independent opinion on whether the
first word of one fragment follows the last word of another.

What it is worth: ``python -m newsdeinterleave.word_model eval`` measures it
beside the shipped models. On the dev paragraphs cut at a random space it
lifts the fitted weighting of characters and words from 0.815 to 0.831; as
four link-model columns, with the English link model refitted, it moved
en-dev broken joins from 37.1 to 37.2 % and cost 8 titles and 0.5 B-cubed F1
(docs/engine.md, session 32), so the engine does not read it and symspellpy is
a development extra only (``dev``), like the corpora the shipped models were
trained on. Nothing is downloaded: the counts are read from the installed
package's data files, and without symspellpy there is no prior.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

import numpy as np
from numpy.typing import NDArray

from newsdeinterleave.language_model import Normalizer

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]

# Families the prior serves (its counts are English).
PRIOR_LANGUAGES = frozenset({"en"})
UNIGRAM_FILE = "frequency_dictionary_en_82_765.txt"
BIGRAM_FILE = "frequency_bigramdictionary_en_243_342.txt"


def _word(token: str) -> str:
    """A token as the dictionaries spell it: lowercase letters and apostrophes only."""
    return "".join(ch for ch in token.lower() if ch.isalpha() or ch == "'")


@dataclass(frozen=True)
class WordPrior:
    """Bigram and unigram counts; a pair's score is log(P(b c) / (P(b) P(c))).

    ``total`` is the sum of the word counts; ``floor`` half the smallest listed
    bigram count, the most an unlisted pair can have occurred.
    """

    normalizer: Normalizer
    unigrams: dict[str, int]
    bigrams: dict[tuple[str, str], int]
    total: int
    floor: float

    def pair_scores(self, texts: Sequence[str], left: I64, right: I64) -> tuple[F64, F64]:
        """PMI of (last word of ``texts[left]``, first word of ``texts[right]``) and whether
        the dictionary lists the pair.

        The list is cut at a count, so an unlisted pair of known words is rarer
        than half the smallest listed count: its PMI is at most that bound, and
        at most 0 (for two rare words the bound says nothing). A pair with an
        unknown or missing word scores 0 and is not listed.
        """
        firsts: list[str] = []
        lasts: list[str] = []
        for text in texts:
            tokens = [w for w in (_word(t) for t in self.normalizer(text).split()) if w]
            firsts.append(tokens[0] if tokens else "")
            lasts.append(tokens[-1] if tokens else "")
        log_total = math.log(self.total)
        score = np.zeros(len(left))
        listed = np.zeros(len(left))
        memo: dict[tuple[str, str], tuple[float, float]] = {}
        for k, (i, j) in enumerate(zip(left.tolist(), right.tolist(), strict=True)):
            key = (lasts[i], firsts[j])
            if key not in memo:
                memo[key] = self._pmi(key, log_total)
            score[k], listed[k] = memo[key]
        return score, listed

    def _pmi(self, key: tuple[str, str], log_total: float) -> tuple[float, float]:
        b, c = key
        ub, uc = self.unigrams.get(b), self.unigrams.get(c)
        if not ub or not uc:
            return 0.0, 0.0
        count = self.bigrams.get(key)
        pair = float(count) if count else self.floor
        pmi = math.log(pair) + log_total - math.log(ub) - math.log(uc)
        if count is None:
            return min(pmi, 0.0), 0.0
        return pmi, 1.0


def _read_counts(name: str) -> list[tuple[list[str], int]]:
    ref = resources.files("symspellpy") / name
    rows = []
    for line in ref.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if len(parts) >= 2 and parts[-1].isdigit():
            rows.append((parts[:-1], int(parts[-1])))
    return rows


@lru_cache(maxsize=2)
def load_word_prior(lang: str) -> WordPrior | None:
    """The prior of ``lang``'s family, or None where none exists or symspellpy is not installed."""
    if lang not in PRIOR_LANGUAGES:
        return None
    try:
        unigrams = {w[0]: c for w, c in _read_counts(UNIGRAM_FILE) if len(w) == 1}
        bigrams = {(w[0], w[1]): c for w, c in _read_counts(BIGRAM_FILE) if len(w) == 2}
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return None
    if not unigrams or not bigrams:
        return None
    floor = 0.5 * min(bigrams.values())
    return WordPrior(Normalizer(lang=lang), unigrams, bigrams, sum(unigrams.values()), floor)
