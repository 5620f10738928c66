"""The reconstruction pipeline, stage by stage.

chunks -> fragments (segmentation + splice cuts) -> scored links (features,
scoring) -> chains (decoding) -> roles -> articles (grouping) -> plans
(structure). Each stage is a pure function of the previous stage's output.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from newsdeinterleave.assembly import ArticlePlan
from newsdeinterleave.engine import (
    LinkGraph,
    build_graph,
    language_family,
    link_chains,
    load_link_model,
    make_fragments,
    page_models,
)
from newsdeinterleave.grouping import chain_features, group_chains
from newsdeinterleave.models import Role
from newsdeinterleave.roles import RoleModel, heuristic_roles, role_features
from newsdeinterleave.scoring import load_shipped
from newsdeinterleave.segmentation import Chunk, Fragment
from newsdeinterleave.structure import assemble_articles, split_at_headers

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@lru_cache(maxsize=4)
def load_role_model(language: str) -> RoleModel | None:
    data = load_shipped("roles", language_family(language))
    return RoleModel.from_json(data) if data is not None else None


def line_chunk_counts(fragments: list[Fragment]) -> IntArray:
    lines = np.array([f.line for f in fragments], dtype=np.int64)
    if not len(lines):
        return lines
    _, inverse, counts = np.unique(lines, return_inverse=True, return_counts=True)
    return np.asarray(counts[inverse], dtype=np.int64)


def fragment_roles(graph: LinkGraph, model: RoleModel | None) -> list[Role]:
    if model is None or not graph.fragments:
        return heuristic_roles(graph.table)
    return model.predict(role_features(graph.table, line_chunk_counts(graph.fragments)))


def link_confidence(graph: LinkGraph) -> FloatArray:
    """Probability of the link leaving each fragment (1 where a chain simply ends)."""
    conf = np.ones(len(graph.fragments))
    if not len(graph.ii):
        return conf
    prob = 1.0 / (1.0 + np.exp(-graph.log_odds))
    chosen = graph.successor[graph.ii] == graph.jj
    conf[graph.ii[chosen]] = prob[chosen]
    return conf


def split_chains(graph: LinkGraph, roles: list[Role]) -> list[list[int]]:
    return [part for chain in link_chains(graph) for part in split_at_headers(chain, roles)]


def reconstruct(
    text: str, chunks: list[Chunk], language: str, disable: Collection[str] = ()
) -> tuple[list[ArticlePlan], list[str], int]:
    """Articles (as plans), warnings, and the number of fragments used."""
    disabled = frozenset(disable)
    models = page_models(chunks, language, disabled)
    fragments = make_fragments(text, chunks, language, disabled, models)
    graph = build_graph(text, fragments, language, disabled, models=models)
    roles = fragment_roles(graph, load_role_model(language))
    chains = split_chains(graph, roles)
    links = chain_features(graph, chains, roles, models, disabled)
    articles, _ = group_chains(chains, links, load_link_model("chains", language, disabled))
    plans = assemble_articles(graph.fragments, graph.table, articles, roles, link_confidence(graph))
    return plans, graph.warnings, len(fragments)
