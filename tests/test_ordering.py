"""A story's chains are ordered by the best path through the ordering model's links."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pytest

from newsdeinterleave.clustering import UNSCORED
from newsdeinterleave.models import Role
from newsdeinterleave.ordering import (
    BEAM_WIDTH,
    EXACT_LIMIT,
    FEATURES,
    ORDER_LANGUAGES,
    START,
    _beam_path,
    _exact_path,
    best_path,
    order_chains,
    story_features,
    story_pairs,
)


@dataclass
class ChainOddsModel:
    """Scores a pair by the chain model's log-odds (and the start by input position)."""

    names: list[str]

    def log_odds(self, matrix: np.ndarray) -> np.ndarray:
        start = matrix[:, FEATURES.index("from_start")] > 0
        first = matrix[:, FEATURES.index("input_next")]
        return np.where(start, np.where(first > 0, 3.0, -3.0), matrix[:, 1])

    def check_features(self, names: list[str]) -> None:
        assert names == self.names


def _path_score(order: list[int], start: np.ndarray, step: np.ndarray) -> float:
    return float(start[order[0]] + sum(step[a, b] for a, b in zip(order, order[1:], strict=False)))


def test_every_ordered_pair_and_a_start_before_each_chain() -> None:
    src, dst = story_pairs(3)
    assert len(src) == 3 + 6
    assert sorted(dst[src == START].tolist()) == [0, 1, 2]
    assert all(a != b for a, b in zip(src.tolist(), dst.tolist(), strict=True))


def test_the_exact_path_is_the_best_of_all_orders() -> None:
    rng = np.random.default_rng(0)
    size = 6
    start, step = rng.normal(size=size), rng.normal(size=(size, size))
    order = _exact_path(size, start, step)
    assert sorted(order) == list(range(size))
    best = max(_path_score(list(p), start, step) for p in itertools.permutations(range(size)))
    assert _path_score(order, start, step) == pytest.approx(best)
    beam = _beam_path(size, start, step)
    assert sorted(beam) == list(range(size))
    assert _path_score(beam, start, step) <= best + 1e-9


def test_a_large_story_takes_the_beam_and_still_orders_every_chain() -> None:
    size = EXACT_LIMIT + 3
    src, dst = story_pairs(size)
    # Chain k reads on into chain k+1; the story opens on chain 0.
    log_odds = np.where(
        (src == START) & (dst == 0), 5.0, np.where((src >= 0) & (dst == src + 1), 5.0, -5.0)
    )
    assert BEAM_WIDTH >= 1
    assert best_path(size, src, dst, log_odds) == list(range(size))


def test_story_features_follow_the_feature_list() -> None:
    chains = [[0, 1], [2], [3, 4, 5]]
    roles: list[Role] = ["title", "body", "body", "body", "body", "credit"]
    succ = np.full((3, 3), UNSCORED)
    succ[0, 1], succ[1, 2] = 2.0, 1.0
    src, dst, matrix = story_features([0, 1, 2], chains, roles, succ)
    assert matrix.shape == (len(src), len(FEATURES))
    col = {name: matrix[:, k] for k, name in enumerate(FEATURES)}
    row = int(np.flatnonzero((src == 0) & (dst == 1))[0])
    assert col["chain_lo"][row] == 2.0 and col["input_next"][row] == 1.0
    assert col["src_ends_header"][row] == 0.0  # chain 0 ends on a body line
    opening = int(np.flatnonzero((src == START) & (dst == 0))[0])
    assert col["from_start"][opening] == 1.0 and col["dst_opens"][opening] == 1.0


def test_order_chains_keeps_every_fragment_once_in_the_preferred_order() -> None:
    chains = [[4, 5], [0, 1], [2, 3]]
    roles: list[Role] = ["title", "body", "body", "body", "body", "body"]
    succ = np.full((3, 3), UNSCORED)
    succ[1, 2], succ[2, 0] = 4.0, 4.0
    model = ChainOddsModel(list(FEATURES))
    fragments = order_chains([0, 1, 2], chains, roles, succ, model)  # type: ignore[arg-type]
    assert fragments == [0, 1, 2, 3, 4, 5]
    assert order_chains([0], chains, roles, succ, model) == [4, 5]  # type: ignore[arg-type]


def test_the_languages_ordered_by_a_model_ship_one() -> None:
    from newsdeinterleave.engine import load_link_model

    assert {"zh"} == ORDER_LANGUAGES
    for language in ORDER_LANGUAGES:
        model = load_link_model("order", language, frozenset())
        assert model is not None and model.names == list(FEATURES)
    assert load_link_model("order", "en", frozenset()) is None


def test_the_engine_orders_chinese_stories_with_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    from newsdeinterleave import clustering, deinterleave

    calls: list[int] = []
    real = clustering.order_chains

    def counted(group: list[int], *rest: object) -> list[int]:
        calls.append(len(group))
        return real(group, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(clustering, "order_chains", counted)
    text = "".join(
        f"第{k}版消息：今年以来，该区已成功签约引进产业项目{k}个，\n总投资额达{k}亿元。这是该区抢抓机遇的成果\n"
        for k in range(8)
    )
    page = deinterleave(text)
    assert page.articles
    assert calls and sum(calls) >= 2  # every gathered story went through the model


def test_gold_rank_follows_each_article_from_its_first_character() -> None:
    from types import SimpleNamespace

    from newsdeinterleave.labels import next_char_map
    from newsdeinterleave.training_order import gold_rank

    text = "ab cd\nef gh"
    # Article 0 reads "cd" then "ab"; article 1 reads "gh" then "ef".
    articles = [[(3, 5), (0, 2)], [(9, 11), (6, 8)]]
    owner = np.full(len(text), -1, dtype=np.int64)
    for k, spans in enumerate(articles):
        for a, b in spans:
            owner[a:b] = k
    page = SimpleNamespace(nxt=next_char_map(text, articles), article=owner)
    rank = gold_rank(page)  # type: ignore[arg-type]
    assert [int(rank[p]) for p in (3, 4, 0, 1)] == [0, 1, 2, 3]
    assert [int(rank[p]) for p in (9, 10, 6, 7)] == [0, 1, 2, 3]
    assert int(rank[2]) == -1  # whitespace has no place in a story


def test_a_story_of_too_many_chains_falls_back_to_the_chain_matching(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from newsdeinterleave import clustering, deinterleave

    seen: list[int] = []
    real = clustering.order_story

    def counted(group: list[int], *rest: object) -> list[int]:
        seen.append(len(group))
        return real(group, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr(clustering, "MAX_CHAINS", 1)
    monkeypatch.setattr(clustering, "order_story", counted)
    text = "".join(
        f"第{k}版消息：今年以来，该区已成功签约引进产业项目{k}个，\n总投资额达{k}亿元。这是该区抢抓机遇的成果\n"
        for k in range(8)
    )
    page = deinterleave(text)
    assert page.articles
    assert seen and min(seen) >= 2  # only the stories above the cap took the matching
