"""Fit the same-story models of ``clustering.py`` and the bar their agglomeration stops at.

``python -m newsdeinterleave.training_clusters --pages benchmarks/pages /tmp/sim --out DIR``
refits only these models on the stages already in ``DIR`` (the full training run
fits them last, after the merge models). Pairs come from the chains the engine
builds on the train pages with the fitted lower stages, each labelled 1 where
both chains hold mostly one gold story; the bar is the one whose agglomeration
scores the best mean B-cubed F1 (over chain characters) on the train pages.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from newsdeinterleave.clustering import (
    TITLE_PENALTY,
    ChainPairs,
    gather,
    pair_features,
    titled_chains,
)
from newsdeinterleave.engine import LinkGraph, language_family
from newsdeinterleave.grouping import ChainLinks, chain_features
from newsdeinterleave.models import Role
from newsdeinterleave.pipeline import fragment_roles, split_chains, weak_link_bar
from newsdeinterleave.roles import RoleModel
from newsdeinterleave.scoring import Scorer, model_filename, save
from newsdeinterleave.training import (
    LabelledPage,
    TrainingSet,
    fit_all,
    group_articles,
    labelled_pages,
    load_stages,
    page_arguments,
    scored_graph,
    stack,
)

BARS = np.arange(-4.0, 3.01, 0.25)
# Most chain pairs are two stories far apart; a share of them is kept (weighted up)
# so that fitting stays within minutes.
NEGATIVE_SHARE = 0.4
CASES = 120


@dataclass
class ClusterCase:
    """One page's chain pairs with what B-cubed needs: each chain's gold story and size."""

    count: int
    ii: NDArray[np.int64]
    jj: NDArray[np.int64]
    matrix: NDArray[np.float64]
    titled: NDArray[np.bool_]
    gold: NDArray[np.int64]
    sizes: NDArray[np.float64]


def bcubed_f1(
    groups: list[list[int]], gold: NDArray[np.int64], sizes: NDArray[np.float64]
) -> float:
    """Character-weighted B-cubed F1 of chain groups; chains outside any story are left out."""
    keep = gold >= 0
    weight = np.where(keep, sizes, 0.0)
    total = float(weight.sum())
    if total == 0:
        return 1.0
    story_size = np.bincount(gold[keep], weights=weight[keep])
    precision = recall = 0.0
    for group in groups:
        members = np.asarray(group, dtype=np.int64)
        members = members[keep[members]]
        if not len(members):
            continue
        shared = np.bincount(gold[members], weights=weight[members], minlength=len(story_size))
        group_size = float(weight[members].sum())
        for c in members.tolist():
            precision += weight[c] * shared[gold[c]] / group_size
            recall += weight[c] * shared[gold[c]] / story_size[gold[c]]
    p, r = precision / total, recall / total
    return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class PageChains:
    """A train page's chains as the engine builds them, with their pairs and gold stories."""

    roles: list[Role]
    chains: list[list[int]]
    links: ChainLinks
    chain_log_odds: NDArray[np.float64]
    pairs: ChainPairs
    gold: NDArray[np.int64]  # the gold story holding most of each chain (-1: none)
    sizes: NDArray[np.float64]  # characters per chain


def page_chains(
    page: LabelledPage, graph: LinkGraph, roles_model: RoleModel, chain_model: Scorer
) -> PageChains | None:
    """The chains, chain-model scores and same-story pair features the engine would see."""
    roles = fragment_roles(graph, roles_model)
    chains = split_chains(graph, roles, weak_link_bar(page.language))
    if len(chains) < 2:
        return None
    links = chain_features(graph, chains, roles, page.models)
    chain_log_odds = chain_model.log_odds(links.features.matrix)
    pairs = pair_features(chains, roles, graph.table, links, chain_log_odds)
    gold = group_articles(page, graph.fragments, list(range(len(chains))), chains)
    sizes = np.array([sum(len(graph.table.texts[k]) for k in c) for c in chains], dtype=float)
    return PageChains(roles, chains, links, chain_log_odds, pairs, gold, sizes)


def cluster_examples(
    page: LabelledPage,
    graph: LinkGraph,
    roles_model: RoleModel,
    chain_model: Scorer,
    rng: np.random.Generator,
) -> tuple[TrainingSet, ClusterCase] | None:
    """Chain pairs as the engine builds them, labelled 1 where both are one gold story."""
    seen = page_chains(page, graph, roles_model, chain_model)
    if seen is None:
        return None
    roles, chains, pairs, gold, sizes = seen.roles, seen.chains, seen.pairs, seen.gold, seen.sizes
    a, b = gold[pairs.ii], gold[pairs.jj]
    labels = ((a == b) & (a >= 0)).astype(np.int64)
    keep = (labels == 1) | (rng.random(len(labels)) < NEGATIVE_SHARE)
    weights = np.sqrt(sizes[pairs.ii] * sizes[pairs.jj]) / max(float(sizes.mean()), 1.0)
    weights = np.where(labels == 1, weights, weights / NEGATIVE_SHARE)
    titled = titled_chains(chains, roles)
    data = TrainingSet(
        pairs.features.names,
        pairs.features.families,
        pairs.features.matrix[keep],
        labels[keep],
        weights[keep],
    )
    case = ClusterCase(len(chains), pairs.ii, pairs.jj, pairs.features.matrix, titled, gold, sizes)
    return data, case


def fit_bar(model: Scorer, columns: list[int], cases: list[ClusterCase]) -> float:
    """The stopping bar whose agglomeration scores the best mean B-cubed F1 on ``cases``."""
    scored = [(c, model.log_odds(c.matrix[:, columns])) for c in cases]
    best, best_f1 = 0.0, -1.0
    for bar in BARS.tolist():
        f1 = float(
            np.mean(
                [
                    bcubed_f1(
                        gather(c.count, c.ii, c.jj, lo, c.titled, bar, TITLE_PENALTY),
                        c.gold,
                        c.sizes,
                    )
                    for c, lo in scored
                ]
            )
        )
        if f1 > best_f1 + 1e-9:
            best, best_f1 = bar, f1
    return best


def fit_clusters(
    labelled: list[LabelledPage],
    graphs: list[LinkGraph],
    family: str,
    models: tuple[RoleModel, Scorer],
    out: Path,
    seed: int,
) -> Scorer:
    """Fit and save the same-story models (each ablation too) with their bars; return the full."""
    rng = np.random.default_rng(seed)
    examples = [cluster_examples(p, g, *models, rng) for p, g in zip(labelled, graphs, strict=True)]
    found = [e for e in examples if e]
    data = stack([d for d, _ in found])
    cases = [c for _, c in found][:: max(1, len(found) // CASES)]
    fitted = fit_all(
        data, "cluster", family, seed, boosted=True, bar=lambda m, cols: fit_bar(m, cols, cases)
    )
    for name, model in fitted.items():
        save(model.to_json(), out, name)
        print(f"{name}: bar {model.meta['threshold']}", flush=True)
    print(f"{family}: cluster pairs {len(data.labels)} ({int(data.labels.sum())} same story)")
    return fitted[model_filename("cluster", family)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    page_arguments(parser)
    args = parser.parse_args(argv)
    for language in args.languages:
        t0 = time.perf_counter()
        labelled = labelled_pages(args, language)
        family = language_family(language)
        splicer, prune, links, role_model, chain_model = load_stages(args.out, family)
        graphs = [scored_graph(p, splicer, prune, links) for p in labelled]
        fit_clusters(labelled, graphs, family, (role_model, chain_model), args.out, args.seed)
        print(f"{language}: {len(labelled)} pages fitted in {time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main()
