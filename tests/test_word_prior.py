"""The general-English word prior (a measured alternative): pair scores from symspellpy's counts."""

from __future__ import annotations

import numpy as np
import pytest

from newsdeinterleave.word_prior import load_word_prior

prior = load_word_prior("en")
needs_prior = pytest.mark.skipif(prior is None, reason="symspellpy is not installed")


@needs_prior
def test_common_pairs_are_listed_and_score_above_unlisted_ones() -> None:
    assert prior is not None
    texts = ["the company said it plans", "to sell the unit", "banana elephant", "Qzxv"]
    left = np.array([0, 0, 2, 3, 0])
    right = np.array([1, 2, 1, 1, 3])
    score, listed = prior.pair_scores(texts, left, right)
    assert listed.tolist() == [1.0, 0.0, 0.0, 0.0, 0.0]
    # "plans to" is a frequent bigram: far more likely than chance, and than an unlisted pair.
    assert score[0] > 3.0
    assert score[0] > score[1]
    # A word the dictionary does not know gives no evidence either way.
    assert score[3] == 0.0 and score[4] == 0.0


@needs_prior
def test_case_and_punctuation_do_not_change_the_pair() -> None:
    assert prior is not None
    texts = ["He said it PLANS", "To sell", "he said it plans,", "to, sell"]
    score, listed = prior.pair_scores(texts, np.array([0, 2]), np.array([1, 3]))
    assert score[0] == pytest.approx(score[1])
    assert listed.tolist() == [1.0, 1.0]


@needs_prior
def test_texts_without_words_score_zero() -> None:
    assert prior is not None
    score, listed = prior.pair_scores(["", "1987 --", "the"], np.array([0, 1]), np.array([2, 2]))
    assert score.tolist() == [0.0, 0.0] and listed.tolist() == [0.0, 0.0]


def test_only_english_has_a_prior() -> None:
    assert load_word_prior("zh") is None
