"""Weak decoded links are cut before the chain model joins chains (pipeline.split_chains)."""

from __future__ import annotations

import numpy as np

from newsdeinterleave.engine import page_graph
from newsdeinterleave.pipeline import (
    cut_weak_links,
    fragment_roles,
    link_confidence,
    split_chains,
    weak_link_bar,
)
from newsdeinterleave.segmentation import split_chunks

_ZH_PAGE = "\n".join(
    f"第{k}段 新闻内容在这里继续 报道称当地今年以来 共完成项目{k}个 投资额持续增长"
    for k in range(12)
)


def test_chain_is_cut_after_each_fragment_whose_outgoing_link_is_weak() -> None:
    confidence = np.array([0.9, 0.2, 0.8, 0.69, 1.0])
    assert cut_weak_links([0, 1, 2, 3, 4], confidence, 0.7) == [[0, 1], [2, 3], [4]]
    assert cut_weak_links([4, 2, 0], confidence, 0.7) == [[4, 2, 0]]
    assert cut_weak_links([3], confidence, 0.7) == [[3]]


def test_each_language_has_its_own_bar() -> None:
    assert 0.0 < weak_link_bar("zh") < 1.0
    assert weak_link_bar("ja") == weak_link_bar("zh")  # CJK scripts share the Chinese models
    assert 0.0 < weak_link_bar("en") < weak_link_bar("zh")  # English links are cut less often


def test_cutting_keeps_every_fragment_once_in_order() -> None:
    chunks = split_chunks(_ZH_PAGE)
    graph, _ = page_graph(_ZH_PAGE, chunks, "zh")
    roles = fragment_roles(graph, None)
    whole = split_chains(graph, roles)
    cut = split_chains(graph, roles, weak_below=1.01)
    assert [k for c in cut for k in c] == [k for c in whole for k in c]
    assert all(len(c) == 1 for c in cut)  # every decoded link has probability below 1.01
    confidence = link_confidence(graph)
    bar = float(np.median(confidence))
    halfway = split_chains(graph, roles, weak_below=bar)
    kept = {(a, b) for c in halfway for a, b in zip(c, c[1:], strict=False)}
    assert all(confidence[a] >= bar for a, _ in kept)
    assert [k for c in halfway for k in c] == [k for c in whole for k in c]
