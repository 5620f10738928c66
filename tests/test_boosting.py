"""Boosted link models: exported trees predict exactly what scikit-learn fitted."""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier

from newsdeinterleave.boosting import BoostedLinkModel
from newsdeinterleave.scoring import model_from_json


def _data(seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(4000, 5))
    # An interaction a linear model cannot express.
    y = ((x[:, 0] * x[:, 1] > 0) ^ (x[:, 2] > 1.0)).astype(np.int64)
    return x, y


def _fit(x: np.ndarray, y: np.ndarray) -> BoostedLinkModel:
    names = [f"f{k}" for k in range(x.shape[1])]
    return BoostedLinkModel.fit(x, y, names, ["a"] * len(names), max_iter=40, seed=0)


def test_exported_trees_match_scikit_learn() -> None:
    x, y = _data()
    model = _fit(x, y)
    reference = HistGradientBoostingClassifier(
        max_iter=40,
        learning_rate=0.1,
        max_leaf_nodes=31,
        max_depth=6,
        l2_regularization=1.0,
        early_stopping=False,
        random_state=0,
    ).fit(x, y)
    test, _ = _data(1)
    np.testing.assert_allclose(model.log_odds(test), reference.decision_function(test), atol=1e-9)
    test[:5, 0] = np.nan  # missing values follow the side scikit-learn sends them to
    np.testing.assert_allclose(model.log_odds(test), reference.decision_function(test), atol=1e-9)


def test_json_round_trip_and_kind_dispatch() -> None:
    x, y = _data()
    model = _fit(x, y)
    loaded = model_from_json(model.to_json())
    assert isinstance(loaded, BoostedLinkModel)
    np.testing.assert_array_equal(loaded.log_odds(x[:100]), model.log_odds(x[:100]))


def test_contributions_sum_to_the_score() -> None:
    x, y = _data()
    model = _fit(x, y)
    parts = model.contributions(x[:20])
    np.testing.assert_allclose(parts.sum(axis=1) + model.intercept, model.log_odds(x[:20]))
    # Feature 4 is noise; features 0-2 carry the label.
    assert np.abs(parts[:, :3]).sum() > 5 * np.abs(parts[:, 4]).sum()


def test_learns_an_interaction_a_line_cannot() -> None:
    x, y = _data()
    model = _fit(x, y)
    test, truth = _data(2)
    accuracy = ((model.log_odds(test) > 0) == truth.astype(bool)).mean()
    assert accuracy > 0.9


def test_the_fast_walk_agrees_with_the_general_one() -> None:
    """The gather-based walk of NaN-free rows gives what the NaN-aware walk gives."""
    x, y = _data()
    model = _fit(x, y)
    general = model.baseline + model._leaves(x[:200], model._descend)
    np.testing.assert_array_equal(model.log_odds(x[:200]), general)
