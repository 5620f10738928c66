"""Untitled pieces go back to the titled story they belong to (learned merge)."""

from __future__ import annotations

import numpy as np
import pytest

from newsdeinterleave.engine import load_link_model
from newsdeinterleave.features import FAMILIES, FragmentTable, fragment_table
from newsdeinterleave.merging import merge_candidates, merge_stories
from newsdeinterleave.models import Role
from newsdeinterleave.scoring import LinkModel
from newsdeinterleave.segmentation import group_fragments, split_chunks

# Two stories whose lines an extractor interleaved, plus a weather line.
LINES = [
    "苏丹武装冲突持续",  # 0 title A
    "苏丹武装部队与快速支援部队在首都交火",  # 1 body A
    "农业农村部说秋收进展顺利",  # 2 title B
    "快速支援部队说首都交火仍在持续",  # 3 body A (piece)
    "农业农村部说秋粮收获过半",  # 4 body B (piece)
    "苏丹武装部队称已控制首都机场",  # 5 body A (piece)
    "今天天气晴朗气温回升",  # 6 weather
]
ROLES: list[Role] = ["title", "body", "title", "body", "body", "body", "body"]


def page_table() -> FragmentTable:
    text = "\n".join(LINES) + "\n"
    return fragment_table(group_fragments(text, split_chunks(text)))


def topic_model(names: list[str], families: list[str]) -> LinkModel:
    """A hand-set model that trusts word overlap only (the shipped one is fitted)."""
    coef = np.array([4.0 if n == "similarity" else 0.0 for n in names])
    k = len(names)
    return LinkModel(names, families, np.zeros(k), np.ones(k), coef, -0.4, {})


def test_each_piece_joins_the_story_it_reads_like_after_its_own_lines() -> None:
    table = page_table()
    articles = [[0, 1], [2], [3], [4], [5], [6]]
    candidates = merge_candidates(articles, ROLES, table)
    assert candidates is not None
    assert candidates.guests == [2, 3, 4, 5] and candidates.hosts == [0, 1]
    model = topic_model(candidates.features.names, candidates.features.families)
    merged = merge_stories(articles, candidates, model)
    # Both Sudan pieces follow the Sudan story in input order, the harvest piece
    # its title; the weather line reads like neither story and stays on its own.
    assert merged == [[0, 1, 3, 5], [2, 4], [6]]
    assert sorted(k for a in merged for k in a) == list(range(len(LINES)))


def test_the_bar_decides_how_doubtful_a_merge_may_be() -> None:
    table = page_table()
    articles = [[0, 1], [2], [3], [4], [5], [6]]
    candidates = merge_candidates(articles, ROLES, table)
    assert candidates is not None
    model = topic_model(candidates.features.names, candidates.features.families)
    # The weather line shares no words with either story (log-odds -0.4): under a
    # bar of -1 it still goes to its best story, and a bar of 10 merges nothing.
    loose = merge_stories(articles, candidates, model, threshold=-1.0)
    assert len(loose) == 2 and sorted(k for a in loose for k in a) == list(range(len(LINES)))
    assert merge_stories(articles, candidates, model, threshold=10.0) == articles


def test_nothing_merges_without_titles_pieces_or_a_model() -> None:
    table = page_table()
    articles = [[0, 1], [2], [3], [4], [5], [6]]
    untitled: list[Role] = ["body"] * len(LINES)
    assert merge_candidates(articles, untitled, table) is None
    assert merge_candidates([[0, 1], [2, 4]], ROLES, table) is None
    candidates = merge_candidates(articles, ROLES, table)
    assert merge_stories(articles, candidates, None) == articles


def test_a_disabled_family_leaves_its_features_out() -> None:
    table = page_table()
    articles = [[0, 1], [2], [3], [4], [5], [6]]
    full = merge_candidates(articles, ROLES, table)
    no_topic = merge_candidates(articles, ROLES, table, {"topic"})
    assert full is not None and no_topic is not None
    assert "topic" in full.features.families and "topic" not in no_topic.features.families


@pytest.mark.parametrize("language", ["zh", "en"])
@pytest.mark.parametrize("disabled", [(), *((f,) for f in FAMILIES)])
def test_shipped_merge_models_read_the_features_the_engine_computes(
    language: str, disabled: tuple[str, ...]
) -> None:
    model = load_link_model("merge", language, frozenset(disabled))
    assert model is not None, "a merge model ships for every language and ablation"
    articles = [[0, 1], [2], [3], [4], [5], [6]]
    candidates = merge_candidates(articles, ROLES, page_table(), disabled)
    assert candidates is not None
    assert model.names == candidates.features.names
