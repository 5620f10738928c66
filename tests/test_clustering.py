"""Chains gather into stories by same-story odds (clustering.py) and its fitted bar."""

from __future__ import annotations

import numpy as np
import pytest

from newsdeinterleave.clustering import UNSCORED, gather, order_story, pair_features
from newsdeinterleave.features import fragment_table
from newsdeinterleave.grouping import chain_pairs
from newsdeinterleave.models import Role
from newsdeinterleave.segmentation import group_fragments, split_chunks
from newsdeinterleave.training_clusters import bcubed_f1


def pairs_of(scores: dict[tuple[int, int], float]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    keys = sorted(scores)
    ii = np.array([a for a, _ in keys], dtype=np.int64)
    jj = np.array([b for _, b in keys], dtype=np.int64)
    return ii, jj, np.array([scores[k] for k in keys])


def test_groups_merge_while_their_mean_odds_reach_the_bar() -> None:
    # 0-1 and 2-3 are sure pairs; 1-2 alone is likely, but 0-2, 0-3, 1-3 are not,
    # so the two pairs stay apart (average linkage, not single linkage).
    ii, jj, lo = pairs_of(
        {(0, 1): 5.0, (2, 3): 4.0, (1, 2): 3.0, (0, 2): -6.0, (0, 3): -6.0, (1, 3): -6.0}
    )
    none_titled = np.zeros(4, dtype=bool)
    assert gather(4, ii, jj, lo, none_titled, bar=0.0) == [[0, 1], [2, 3]]
    assert gather(4, ii, jj, lo, none_titled, bar=6.0) == [[0], [1], [2], [3]]
    assert gather(4, ii, jj, lo, none_titled, bar=-5.0) == [[0, 1, 2, 3]]


def test_two_titled_groups_never_merge_and_unscored_pairs_count_against() -> None:
    ii, jj, lo = pairs_of({(0, 1): 5.0, (1, 2): 5.0})
    titled = np.array([True, False, True])
    groups = gather(3, ii, jj, lo, titled, bar=-10.0)
    assert len(groups) == 2 and sorted(len(g) for g in groups) == [1, 2]
    # With a finite penalty two titled groups merge when their odds clear it.
    two_titles = np.array([True, True])
    one_pair = (np.array([0]), np.array([1]), np.array([5.0]))
    assert gather(2, *one_pair, two_titles, bar=0.0, title_penalty=2.0) == [[0, 1]]
    assert gather(2, *one_pair, two_titles, bar=0.0, title_penalty=6.0) == [[0], [1]]
    # (0, 2) was never scored: it counts as UNSCORED, so {0, 1} and {2} average
    # (5 + UNSCORED) / 2 and a bar above that keeps them apart.
    untitled = np.zeros(3, dtype=bool)
    mean = (5.0 + UNSCORED) / 2
    assert gather(3, ii, jj, lo, untitled, bar=mean + 0.5) == [[0, 1], [2]]
    assert gather(3, ii, jj, lo, untitled, bar=mean - 0.5) == [[0, 1, 2]]


def test_a_story_opens_on_its_header_and_follows_the_chain_odds() -> None:
    chains = [[0, 1], [2], [3, 4], [5]]
    roles: list[Role] = ["body", "body", "title", "body", "body", "body"]
    succ = np.full((4, 4), -8.0)
    succ[1, 2] = 4.0  # the title chain reads on into chain 2
    succ[2, 0] = 3.0  # which reads on into chain 0
    assert order_story([0, 1, 2], chains, roles, succ, bar=-3.0) == [2, 3, 4, 0, 1]
    # A chain with no link above the bar follows the header's run, in input order,
    # and nothing reads on into a title, however likely the link.
    succ[3, 1] = 6.0
    assert order_story([0, 1, 2, 3], chains, roles, succ, bar=-3.0) == [2, 3, 4, 0, 1, 5]


def test_pair_features_cover_each_pair_once() -> None:
    text = "苏丹武装冲突持续\n苏丹武装部队与快速支援部队在首都交火\n农业农村部说秋收进展顺利\n"
    table = fragment_table(group_fragments(text, split_chunks(text)))
    chains = [[0], [1], [2]]
    roles: list[Role] = ["title", "body", "body"]
    from newsdeinterleave.features import PairFeatures
    from newsdeinterleave.grouping import ChainLinks

    ii, jj = chain_pairs(3)
    links = ChainLinks(ii, jj, PairFeatures([], [], np.zeros((len(ii), 0))))
    pairs = pair_features(chains, roles, table, links, np.zeros(len(ii)))
    assert list(zip(pairs.ii.tolist(), pairs.jj.tolist(), strict=True)) == [(0, 1), (0, 2), (1, 2)]
    names = pairs.features.names
    sim = pairs.features.matrix[:, names.index("bigram_sim")]
    assert sim[0] > sim[1]  # the Sudan title shares more with the Sudan body
    no_topic = pair_features(chains, roles, table, links, np.zeros(len(ii)), {"topic"})
    assert "topic" not in no_topic.features.families


def test_bcubed_of_chain_groups_weighs_characters() -> None:
    gold = np.array([0, 0, 1, -1])
    sizes = np.array([10.0, 10.0, 20.0, 5.0])
    assert bcubed_f1([[0, 1], [2], [3]], gold, sizes) == 1.0
    split = bcubed_f1([[0], [1], [2], [3]], gold, sizes)
    assert 0.6 < split < 1.0  # recall halves for the first story's characters
    mixed = bcubed_f1([[0, 1, 2], [3]], gold, sizes)
    assert mixed < 1.0


def test_the_engine_reads_the_shipped_same_story_models_in_every_setting(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from newsdeinterleave import deinterleave, pipeline
    from newsdeinterleave.engine import load_link_model
    from newsdeinterleave.features import FAMILIES

    for language in ("zh", "en"):
        for disabled in [frozenset()] + [frozenset([f]) for f in FAMILIES]:
            model = load_link_model("cluster", language, disabled)
            assert model is not None, (language, disabled)
            assert -4.0 <= float(model.meta["threshold"]) <= 3.0  # type: ignore[arg-type]
    calls: list[int] = []
    real = pipeline.cluster_stories

    def counted(chains: list[list[int]], *rest: object) -> list[list[int]]:
        calls.append(len(chains))
        return real(chains, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "cluster_stories", counted)
    text = "".join(
        f"Story {k} reads on here about the harbour board.\nA second column talks of wheat {k}.\n"
        for k in range(6)
    )
    page = deinterleave(text)
    assert calls and calls[0] >= 2
    assert page.articles


def test_a_story_is_as_sure_as_its_chains_belong_together() -> None:
    from newsdeinterleave.clustering import ChainPairs, story_confidence
    from newsdeinterleave.features import PairFeatures

    chains = [[0, 1], [2], [3, 4, 5], [6]]
    stories = [[0, 1, 2], [3, 4, 5], [6]]
    ii = np.array([0, 0, 1], dtype=np.int64)
    jj = np.array([1, 2, 2], dtype=np.int64)
    pairs = ChainPairs(ii, jj, PairFeatures([], [], np.zeros((3, 0))))
    log_odds = np.array([np.log(3.0), -5.0, -5.0])  # chains 0 and 1: probability 0.75
    links = np.array([0.9, 0.2, 0.4, 0.8, 0.6, 0.1, 0.3])
    sure = story_confidence(stories, chains, pairs, log_odds, links)
    assert np.allclose(sure[[0, 1, 2]], 0.75)
    # One chain: the mean of the links inside it (its last link leaves the story).
    assert np.allclose(sure[[3, 4, 5]], 0.7)
    assert sure[6] == 1.0  # a lone fragment


def test_stranded_titles_find_their_story_after_clustering_in_chinese_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from newsdeinterleave import deinterleave, pipeline

    calls: list[int] = []
    real = pipeline.attach_orphan_headers

    def counted(articles: list[list[int]], *rest: object, **options: object) -> list[list[int]]:
        calls.append(len(articles))
        return real(articles, *rest, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "attach_orphan_headers", counted)
    assert frozenset({"zh"}) == pipeline.ORPHAN_HEADER_LANGUAGES
    chinese = "".join(
        f"第{k}版消息：今年以来，该区已成功签约引进产业项目{k}个，\n总投资额达{k}亿元。这是该区抢抓机遇的成果\n"
        for k in range(8)
    )
    deinterleave(chinese)
    assert calls
    calls.clear()
    english = "".join(
        f"Story {k} reads on here about the harbour board.\nA second column talks of wheat {k}.\n"
        for k in range(6)
    )
    deinterleave(english)
    assert not calls


def test_the_merge_model_also_places_pieces_after_clustering(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from newsdeinterleave import deinterleave, pipeline

    clustered: list[int] = []
    merged: list[int] = []
    real_cluster, real_merge = pipeline.cluster_stories, pipeline.merge_stories

    def cluster(*args: object) -> list[list[int]]:
        stories = real_cluster(*args)  # type: ignore[arg-type]
        clustered.append(len(stories))
        return stories

    def merge(articles: list[list[int]], *rest: object) -> list[list[int]]:
        merged.append(len(articles))
        return real_merge(articles, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "cluster_stories", cluster)
    monkeypatch.setattr(pipeline, "merge_stories", merge)
    english = "".join(
        f"Story {k} reads on here about the harbour board.\nA second column talks of wheat {k}.\n"
        for k in range(6)
    )
    deinterleave(english)
    assert clustered and merged and merged[0] <= clustered[0]
