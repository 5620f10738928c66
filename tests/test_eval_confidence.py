"""The confidence benchmark's AUC ranks pure articles above impure ones."""

from __future__ import annotations

import numpy as np

from benchmarks.eval_confidence import auc, report


def test_auc_counts_pairs_ranked_right_and_ties_as_half() -> None:
    scores = np.array([0.9, 0.8, 0.3, 0.2])
    assert auc(scores, np.array([True, True, False, False])) == 1.0
    assert auc(scores, np.array([False, False, True, True])) == 0.0
    assert auc(np.array([0.5, 0.5]), np.array([True, False])) == 0.5
    assert auc(scores, np.ones(4, dtype=bool)) is None


def test_the_report_bands_articles_by_confidence() -> None:
    lines = report("x-dev", [(0.9, 1.0), (0.95, 0.99), (0.4, 0.5), (0.6, 0.97)], 0.95)
    assert "AUC of confidence 1.000" in lines[0]
    assert "| 0.85-1.00 | 2 | 1.00 |" in lines
    assert "| 0.00-0.50 | 1 | 0.00 |" in lines
