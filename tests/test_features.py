"""Link features: punctuation rules, widths, candidate windows and pruning."""

from __future__ import annotations

import numpy as np
import pytest

from newsdeinterleave.features import (
    best_offsets,
    candidate_pairs,
    diagonal_mean,
    fragment_table,
    local_column_width,
    pair_features,
    stride_votes,
    top_k_mask,
)
from newsdeinterleave.punctuation import ends_sentence, leading_close, unbalanced_open
from newsdeinterleave.segmentation import group_fragments, split_chunks


def _fragments(text: str):  # type: ignore[no-untyped-def]
    return group_fragments(text, split_chunks(text))


def test_sentence_end_sees_through_closing_quotes() -> None:
    assert ends_sentence("他说:“好。”")
    assert ends_sentence("He left.")
    assert not ends_sentence("他说,")


def test_brackets_carry_over_lines() -> None:
    assert unbalanced_open("西河涛圩段(水") == 1
    assert leading_close("头村)开展清河整治行动")
    assert not leading_close("(杨丁香 赵建平)")


def test_fragment_table_flags_cjk_line_start_rules() -> None:
    table = fragment_table(_fragments("今天天气很好\n,我们出去玩。\n《人民"))
    assert table.start_close.tolist() == [False, True, False]
    assert table.end_sentence.tolist() == [False, True, False]
    assert table.end_open.tolist() == [False, False, False]


def test_local_column_width_follows_the_region() -> None:
    widths = np.array([10.0] * 30 + [30.0] * 30)
    colw = local_column_width(widths, radius=5)
    assert colw[0] == 10.0 and colw[-1] == 30.0


def test_candidate_pairs_stay_in_window_and_never_self_link() -> None:
    ii, jj = candidate_pairs(10, 3)
    assert len(ii) == len(jj) > 0
    assert np.all(ii != jj)
    assert np.all(np.abs(ii - jj) <= 3)
    assert (0, 1) in set(zip(ii.tolist(), jj.tolist(), strict=True))


def test_top_k_keeps_best_per_source_and_per_target() -> None:
    ii = np.array([0, 0, 0, 1, 1, 1])
    jj = np.array([1, 2, 3, 0, 2, 3])
    score = np.array([0.1, 0.9, 0.5, 0.2, 0.3, 0.8])
    keep = top_k_mask(ii, jj, score, 1)
    kept = {(int(a), int(b)) for a, b, k in zip(ii, jj, keep, strict=True) if k}
    assert (0, 2) in kept and (1, 3) in kept  # best out of 0 and 1
    assert (1, 0) in kept  # only way into 0


def test_disabled_family_removes_its_columns_only() -> None:
    table = fragment_table(_fragments("甲乙丙丁。\n戊己庚,\n辛壬癸"))
    ii, jj = candidate_pairs(table.size, 2)
    full = pair_features(table, ii, jj, general=None, page=None, topic=None)
    no_punct = pair_features(
        table, ii, jj, general=None, page=None, topic=None, disable={"punctuation"}
    )
    assert "i_end_sentence" in full.names and "i_end_sentence" not in no_punct.names
    assert set(no_punct.families) == set(full.families) - {"punctuation"}
    assert full.matrix.shape == (len(ii), len(full.names))


def test_stride_votes_follow_the_neighbours_period() -> None:
    # Every fragment's best continuation lies 3 ahead, as when three columns interleave.
    n = 12
    ii, jj = candidate_pairs(n, 4)
    score = np.where(jj - ii == 3, 1.0, 0.0)
    best = best_offsets(n, ii, jj, score)
    assert np.all(best.out[:9] == 3)
    votes = dict(stride_votes(n, ii, jj, best))
    pick = (ii == 5) & (jj == 8)
    other = (ii == 5) & (jj == 6)
    assert votes["stride_out"][pick][0] > 0.6
    assert votes["stride_out"][other][0] == 0.0
    assert votes["first_stage_best_out"][pick][0] == 1.0


def test_diagonal_mean_pools_the_parallel_pairs_not_the_pair_itself() -> None:
    # Weak, noisy evidence for a stride of 2 adds up along the diagonal.
    n = 20
    ii, jj = candidate_pairs(n, 3)
    rng = np.random.default_rng(0)
    score = rng.normal(0.0, 1.0, len(ii)) + np.where(jj - ii == 2, 1.0, 0.0)
    mean, support = diagonal_mean(n, ii, jj, score, radius=3)
    at = (ii == 10) & (jj == 12)
    parallel = ((jj - ii) == 2) & (np.abs(ii - 10) <= 3) & (ii != 10)
    assert mean[at][0] == pytest.approx(np.mean(score[parallel]))
    assert support[at][0] == 1.0
    # At the page's edge fewer parallel pairs exist.
    edge = (ii == 0) & (jj == 2)
    assert support[edge][0] == 0.5
    stride_two = mean[(jj - ii == 2) & (ii >= 3) & (ii < n - 5)]
    adjacent = mean[(jj - ii == 1) & (ii >= 3) & (ii < n - 5)]
    assert stride_two.mean() > adjacent.mean() + 0.5


def test_blank_lines_mark_block_ends_and_starts() -> None:
    # Two boxes: lines 0-1, a blank line, line 3 (its first chunk continues a box far away).
    table = fragment_table(_fragments("甲乙丙丁\n戊己庚辛\n\n壬癸 子丑"))
    assert table.blanks_above.tolist() == [0, 0, 1, 1]
    assert table.block_end.tolist() == [False, True, False, True]
    assert table.block_start.tolist() == [True, False, True, False]
    # Of the two line ends before the last line, one is followed by a blank line.
    assert table.blank_share == pytest.approx(0.5)


def test_block_columns_only_where_asked_and_only_in_the_rich_set() -> None:
    table = fragment_table(_fragments("甲乙丙丁\n戊己庚辛\n\n壬癸子丑"))
    ii, jj = candidate_pairs(table.size, 2)
    plain = pair_features(table, ii, jj, general=None, page=None, topic=None)
    blocks = pair_features(table, ii, jj, general=None, page=None, topic=None, blocks=True)
    cheap = pair_features(
        table, ii, jj, general=None, page=None, topic=None, blocks=True, rich=False
    )
    assert "adj_across_blank" not in plain.names and "adj_across_blank" not in cheap.names
    across = blocks.matrix[:, blocks.names.index("adj_across_blank")]
    crossing = {(int(i), int(j)) for i, j, v in zip(ii, jj, across, strict=True) if v}
    assert crossing == {(1, 2)}
    blank = blocks.matrix[:, blocks.names.index("blank_lines_between")]
    assert blank[(ii == 0) & (jj == 2)][0] == pytest.approx(np.log1p(1))
    assert blank[(ii == 0) & (jj == 1)][0] == 0.0


def test_block_columns_follow_the_language_setting() -> None:
    from newsdeinterleave.engine import build_graph
    from newsdeinterleave.features import BLOCK_LANGUAGES

    text = "甲乙丙丁\n戊己庚辛\n\n壬癸子丑"
    for language in ("zh", "en"):
        graph = build_graph(text, _fragments(text), language, use_model=False)
        assert ("adj_across_blank" in graph.features.names) == (language in BLOCK_LANGUAGES)
