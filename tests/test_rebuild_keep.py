"""Candidate links a rebuilt page keeps per fragment, per language (engine.rebuild_keep)."""

from __future__ import annotations

import numpy as np

from newsdeinterleave.engine import KEEP_PER_FRAGMENT, page_graph, rebuild_keep
from newsdeinterleave.segmentation import split_chunks

_ZH_PAGE = "\n".join(
    f"第{k}段 新闻内容在这里继续 报道称当地今年以来 共完成项目{k}个 投资额持续增长"
    for k in range(12)
)


def test_chinese_pages_keep_more_candidates_than_training_and_english_the_same() -> None:
    assert rebuild_keep("zh") > KEEP_PER_FRAGMENT
    assert rebuild_keep("ja") == rebuild_keep("zh")  # CJK scripts share the Chinese models
    assert rebuild_keep("en") == KEEP_PER_FRAGMENT
    assert rebuild_keep("ru") == KEEP_PER_FRAGMENT


def test_default_keep_is_the_languages_rebuild_setting() -> None:
    """explain() calls page_graph without keep, so it must score what deinterleave scored."""
    chunks = split_chunks(_ZH_PAGE)
    default, _ = page_graph(_ZH_PAGE, chunks, "zh")
    explicit, _ = page_graph(_ZH_PAGE, chunks, "zh", keep=rebuild_keep("zh"))
    training, _ = page_graph(_ZH_PAGE, chunks, "zh", keep=KEEP_PER_FRAGMENT)
    assert np.array_equal(default.ii, explicit.ii) and np.array_equal(default.jj, explicit.jj)
    assert len(default.ii) > len(training.ii)  # the wider setting reaches more pairs on this page
