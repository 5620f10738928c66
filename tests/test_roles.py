"""Role features see a fragment's block and neighbours; the boosted role model round-trips."""

from __future__ import annotations

import json

import numpy as np
import pytest

from newsdeinterleave.features import fragment_table
from newsdeinterleave.models import Role
from newsdeinterleave.roles import (
    FORM_FEATURES,
    LINK_FEATURES,
    LINK_FLOOR,
    ROLE_FEATURES,
    RoleModel,
    link_evidence,
    role_features,
)
from newsdeinterleave.segmentation import group_fragments, split_chunks

PAGE = "乡村振兴见实效\n\n今年以来,该县深入推进乡村振兴工作,\n取得了明显成效。\n\n(张三李四)\n"


def _features(text: str) -> np.ndarray:
    """Role features with every fragment linked to the next at even odds."""
    fragments = group_fragments(text, split_chunks(text))
    n = len(fragments)
    ii = np.arange(n - 1, dtype=np.int64)
    links = link_evidence(n, ii, ii + 1, np.zeros(n - 1), np.append(ii + 1, -1))
    return role_features(fragment_table(fragments), links)


def test_link_evidence_is_the_best_candidate_and_the_chosen_link_each_way() -> None:
    ii = np.array([0, 0, 1, 2], dtype=np.int64)
    jj = np.array([1, 2, 2, 0], dtype=np.int64)
    scores = np.array([3.0, -1.0, 0.5, 50.0])
    successor = np.array([2, -1, -1], dtype=np.int64)  # the decoder chose 0 -> 2 only
    ev = link_evidence(3, ii, jj, scores, successor)
    np.testing.assert_allclose(ev[:, 0], [-LINK_FLOOR, 3.0, 0.5])  # best in (clipped at 20)
    np.testing.assert_allclose(ev[:, 1], [3.0, 0.5, -LINK_FLOOR])  # best out
    np.testing.assert_allclose(ev[:, 2], [LINK_FLOOR, LINK_FLOOR, -1.0])  # chosen in
    np.testing.assert_allclose(ev[:, 3], [-1.0, LINK_FLOOR, LINK_FLOOR])  # chosen out


def test_block_features_mark_isolated_lines() -> None:
    x = _features(PAGE)
    col = {name: k for k, name in enumerate(ROLE_FEATURES + LINK_FEATURES)}
    assert x.shape[1] == len(ROLE_FEATURES) + len(LINK_FEATURES)
    title, first_body, second_body, credit = x
    assert title[col["blank_before"]] == 1 and title[col["blank_after"]] == 1
    assert title[col["block_lines"]] == np.log1p(1)
    assert first_body[col["block_lines"]] == np.log1p(2) and first_body[col["blank_after"]] == 0
    assert second_body[col["block_line_index"]] == 1 and second_body[col["block_ends_sentence"]]
    assert credit[col["bracketed"]] == 1 and credit[col["name_list"]] == 1
    # The neighbour columns carry the title's form into the next fragment's row.
    assert first_body[col["block_lines@-1"]] == title[col["block_lines"]]
    assert title[col["log_width@-1"]] == -1  # no fragment before the first


def test_role_model_learns_form_and_round_trips() -> None:
    pages = [PAGE.replace("乡村振兴", w) for w in ("城市更新", "生态保护", "科技创新")] * 4
    x = np.vstack([_features(p) for p in pages])
    labels: list[Role] = ["title", "body", "body", "credit"] * len(pages)
    model = RoleModel.fit(x, labels, seed=0, links=True)
    assert model.predict(_features(PAGE)) == ["title", "body", "body", "credit"]
    loaded = RoleModel.from_json(model.to_json())
    np.testing.assert_allclose(loaded.probabilities(x), model.probabilities(x))
    assert loaded.reads_links
    # A form-only model (no link columns) round-trips too and says so.
    form_only = RoleModel.fit(x[:, : len(ROLE_FEATURES)], labels, seed=0)
    assert not RoleModel.from_json(form_only.to_json()).reads_links
    assert len(FORM_FEATURES) < len(ROLE_FEATURES)


def test_latin_headline_form_is_seen_in_the_line_and_its_neighbours() -> None:
    text = "the markets closed.\nDollar Opens Lower In New York\nNEW YORK, April 7 - The dollar\n"
    fragments = group_fragments(text, split_chunks(text), breaks=set())
    x = role_features(fragment_table(fragments))
    col = {name: k for k, name in enumerate(ROLE_FEATURES)}
    body, title, dateline = x
    assert title[col["capital_words"]] == 1.0 and title[col["starts_lower"]] == 0
    assert body[col["starts_lower"]] == 1 and body[col["capital_words"]] == 0
    assert dateline[col["capital_words"]] == pytest.approx(4 / 5)  # "7" and "-" have no case
    assert dateline[col["capital_words@-1"]] == 1.0 and title[col["starts_lower@-1"]] == 1
    # Scripts without case carry no capitals.
    assert _features(PAGE)[0][col["capital_words"]] == 0


def test_a_model_fitted_on_fewer_columns_reads_only_those() -> None:
    pages = [PAGE.replace("乡村振兴", w) for w in ("城市更新", "生态保护", "科技创新")] * 4
    x = np.vstack([_features(p) for p in pages])
    labels: list[Role] = ["title", "body", "body", "credit"] * len(pages)
    older = [name for name in ROLE_FEATURES if "capital_words" not in name]
    model = RoleModel.fit(x, labels, seed=0, features=older)
    loaded = RoleModel.from_json(model.to_json())
    assert loaded.features == older and not loaded.reads_links
    changed = x.copy()
    changed[:, ROLE_FEATURES.index("capital_words")] = 1.0
    np.testing.assert_allclose(loaded.probabilities(changed), model.probabilities(x))
    raw = json.loads(model.to_json())
    raw["features"] = [*older, "no such feature"]
    with pytest.raises(ValueError, match="retrain"):
        RoleModel.from_json(json.dumps(raw))
