"""The reconstruction pipeline, stage by stage.

chunks -> fragments (segmentation + splice cuts) -> scored links (features,
scoring) -> chains (decoding) -> roles -> articles (clustering; the chain
matching and merge where no same-story model ships) -> plans (structure).
Each stage is a pure function of the previous stage's output.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import lru_cache
from itertools import pairwise

import numpy as np
from numpy.typing import NDArray

from newsdeinterleave.assembly import ArticlePlan
from newsdeinterleave.clustering import (
    cluster_stories,
    no_pairs,
    pair_features,
    story_confidence,
)
from newsdeinterleave.engine import (
    LinkGraph,
    PageModels,
    engine_lines,
    language_family,
    link_chains,
    load_link_model,
    page_graph,
)
from newsdeinterleave.grouping import PAIR_BUDGET as CHAIN_PAIR_BUDGET
from newsdeinterleave.grouping import chain_features, group_chains
from newsdeinterleave.merging import merge_candidates, merge_stories
from newsdeinterleave.models import Role
from newsdeinterleave.ordering import ORDER_LANGUAGES
from newsdeinterleave.roles import RoleModel, heuristic_roles, link_evidence, role_features
from newsdeinterleave.scoring import Scorer, decision_bar, load_shipped
from newsdeinterleave.segmentation import Chunk
from newsdeinterleave.structure import (
    assemble_articles,
    attach_orphan_headers,
    captions_last,
    release_furniture,
    split_groups_at_headers,
    split_title_stacks,
)

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]


@lru_cache(maxsize=4)
def load_role_model(language: str) -> RoleModel | None:
    data = load_shipped("roles", language_family(language))
    return RoleModel.from_json(data) if data is not None else None


def role_guesses(graph: LinkGraph, model: RoleModel | None) -> tuple[list[Role], FloatArray]:
    """Each fragment's role, and how sure the role model is of it (0 from the fallback rules)."""
    if model is None or not graph.fragments:
        return heuristic_roles(graph.table), np.zeros(len(graph.fragments))
    links = graph_link_evidence(graph) if model.reads_links else None
    return model.predict_with_probability(role_features(graph.table, links))


def graph_link_evidence(graph: LinkGraph) -> FloatArray:
    n = len(graph.fragments)
    return link_evidence(n, graph.ii, graph.jj, graph.log_odds, graph.successor)


def fragment_roles(graph: LinkGraph, model: RoleModel | None) -> list[Role]:
    return role_guesses(graph, model)[0]


# Fragments the role model calls page furniture with at least this probability leave the
# story they were chained into. Chosen on the dev pages: at 0.9 zh-dev perfect articles rose
# 59 -> 63 and en-dev was unchanged; at 0.8 English lost 553 joins of body text it took for
# furniture.
FURNITURE_PROBABILITY = 0.9


def sure_furniture(roles: list[Role], sureness: FloatArray) -> set[int]:
    """Fragments labelled ``other`` (page furniture) that the role model is sure of."""
    return {
        k
        for k, role in enumerate(roles)
        if role == "other" and sureness[k] >= FURNITURE_PROBABILITY
    }


# Two title lines chained with at least this link probability are one wrapped headline
# (structure.split_title_stacks). Chosen on the dev pages: at 0.5 the lines of long English
# headlines came apart (en-dev titles 215 -> 207); at 0.2 both languages gain titles.
CONFIDENT_LINK = 0.2


def link_confidence(graph: LinkGraph) -> FloatArray:
    """Probability of the link leaving each fragment (1 where a chain simply ends)."""
    conf = np.ones(len(graph.fragments))
    if not len(graph.ii):
        return conf
    prob = 1.0 / (1.0 + np.exp(-graph.log_odds))
    chosen = graph.successor[graph.ii] == graph.jj
    conf[graph.ii[chosen]] = prob[chosen]
    return conf


def confident_links(graph: LinkGraph, confidence: FloatArray) -> set[tuple[int, int]]:
    """Decoded links the link model gives better-than-even odds."""
    return {
        (i, int(j))
        for i, j in enumerate(graph.successor.tolist())
        if j >= 0 and confidence[i] >= CONFIDENT_LINK
    }


# Decoded fragment links below this probability are cut before the chain model
# joins chains into stories, so that model (which reads whole chains: their
# vocabulary, roles and both ends) makes the doubtful calls, not the fragment
# link matching. Chosen on the dev pages, models unchanged (session 11): zh-dev
# broken / join / F1 / perfect / titles 67.8 / 87.3 / 74.2 / 79 / 249 uncut, 68.1 /
# 87.3 / 76.2 / 93 / 258 at 0.5, 68.0 / 87.3 / 77.1 / 93 / 266 at 0.7, 66.8 / 86.7
# / 75.4 / 85 / 249 at 0.9. With the old English models a cut at 0.3 lost F1 on
# en-dev (65.0 -> 63.4); after the session-12 refit on chains cut at these bars
# (chain and merge models only) zh-dev reads 69.6 / 88.0 / 75.2 / 93 / 264 and
# en-dev 27.9 / 91.6 / 65.0 / 52 / 226 -> 30.0 / 91.7 / 64.1 / 55 / 239.
WEAK_LINK = {"zh": 0.7, "en": 0.3}


def weak_link_bar(language: str) -> float:
    """Probability under which a decoded link of ``language`` is left to the chain model."""
    return WEAK_LINK.get(language_family(language), 0.0)


# An untitled piece goes to its best story when the merge model's log-odds reach
# this bar (default 0: even odds). Chosen on the dev pages, models unchanged
# (session 16), because the engine left too many pieces stranded: on en-dev it
# returned 1 218 articles for 614 gold ones, B-cubed recall 0.64 against precision
# 0.69. en-dev F1 / perfect / titles 65.1 / 56 / 248 at 0, 66.9 / 56 / 249 at -0.75,
# 67.4 / 55 / 250 at -1.5, 67.1 / 54 / 251 at -3, 66.7 / 54 / 251 with every piece
# merged; zh-dev 77.8 / 107 / 287 at 0, 78.2 / 107 / 289 at -0.75, 78.3 / 106 / 289
# at -1.5. Links and so broken joins barely move. Since session 24 the merge also
# follows the same-story clustering (it had run only where no same-story model
# ships), at the same bars. Broken / join / F1 / perfect / titles, models unchanged:
# en-dev 35.8 (5 614) / 92.3 / 79.2 / 85 / 290 -> 35.8 (5 627) / 92.4 / 80.1 / 85 /
# 307; zh-dev 70.9 (7 570) / 88.5 / 87.9 / 146 / 323 -> 70.9 (7 572) / 88.5 / 88.5 /
# 146 / 329, the same at -1.5. On en-dev with a titled-story adoption step before it
# (not kept, docs/engine.md session 24) the bar 0 / -1.5 / -3 gave F1 79.5 / 79.7 / 78.5.
MERGE_BAR = {"zh": -0.75, "en": -1.5}

# Languages whose clustered stories then pass through ``attach_orphan_headers``: a
# group that is little more than a title goes to the untitled story sharing most of
# its words. Chosen on the dev pages, models unchanged (session 18), broken / join /
# F1 / perfect / titles: zh-dev 70.8 / 88.4 / 87.8 / 144 / 306 -> 70.9 / 88.5 / 87.9 /
# 146 / 323; en-dev 30.7 / 91.7 / 77.2 / 68 / 252 -> 30.6 / 91.7 / 75.0 / 62 / 257
# (F1 / perfect / titles with a similarity bar of 0.3: 75.1 / 62 / 257; with the body
# at most twice the header: 76.7 / 65 / 257), so English groups stay as clustered.
ORPHAN_HEADER_LANGUAGES = frozenset({"zh"})


def merge_bar(language: str) -> float | None:
    """Log-odds a piece's best story needs before ``language``'s pieces are merged into it."""
    return MERGE_BAR.get(language_family(language))


def split_chains(graph: LinkGraph, roles: list[Role], weak_below: float = 0.0) -> list[list[int]]:
    """Decoded chains, cut before headers and (if ``weak_below``) at weak links."""
    chains = split_groups_at_headers(link_chains(graph), roles)
    if weak_below <= 0.0:
        return chains
    confidence = link_confidence(graph)
    return [part for chain in chains for part in cut_weak_links(chain, confidence, weak_below)]


def cut_weak_links(chain: list[int], confidence: FloatArray, below: float) -> list[list[int]]:
    """``chain`` in pieces, cut after every fragment whose outgoing link is below ``below``."""
    parts = [[chain[0]]]
    for before, after in pairwise(chain):
        if confidence[before] < below:
            parts.append([after])
        else:
            parts[-1].append(after)
    return parts


# Pages with more chunks than this are rebuilt block by block (blocks cut at line
# breaks), which keeps time and memory linear in the page size; articles that cross a
# block boundary come out split there, and the page says so in a warning.
BLOCK_CHUNKS = 6000
# Blocks of such large pages are scored with fewer candidates per fragment and fewer
# chain pairs, which keeps a 100 000-line page well inside the README's time bound.
LARGE_PAGE_KEEP = 8
LARGE_PAGE_CHAIN_PAIRS = 50_000


def reconstruct(
    text: str, chunks: list[Chunk], language: str, disable: Collection[str] = ()
) -> tuple[list[ArticlePlan], list[tuple[int, int]], list[str], int]:
    """Articles (as plans), unassigned spans, warnings, and the number of fragments used."""
    chunks = engine_lines(chunks, language)
    if len(chunks) <= BLOCK_CHUNKS:
        return reconstruct_block(text, chunks, language, disable)
    plans: list[ArticlePlan] = []
    unassigned: list[tuple[int, int]] = []
    fragment_count = 0
    blocks = line_blocks(chunks, BLOCK_CHUNKS)
    warnings = [
        f"large page ({len(chunks)} chunks): rebuilt in {len(blocks)} blocks of at most "
        f"about {BLOCK_CHUNKS} chunks, {LARGE_PAGE_KEEP} candidates per fragment; "
        "articles crossing a block boundary are split there"
    ]
    for block in blocks:
        block_plans, block_unassigned, block_warnings, count = reconstruct_block(
            text,
            block,
            language,
            disable,
            keep=LARGE_PAGE_KEEP,
            chain_pairs=LARGE_PAGE_CHAIN_PAIRS,
        )
        plans += block_plans
        unassigned += block_unassigned
        warnings += [w for w in block_warnings if w not in warnings]
        fragment_count += count
    return plans, unassigned, warnings, fragment_count


def line_blocks(chunks: list[Chunk], size: int) -> list[list[Chunk]]:
    """Consecutive runs of about ``size`` chunks, cut only where a line starts if possible."""
    blocks: list[list[Chunk]] = [[]]
    for chunk in chunks:
        full = len(blocks[-1]) >= size
        if blocks[-1] and (full and chunk.first_in_line or len(blocks[-1]) >= 2 * size):
            blocks.append([])
        blocks[-1].append(chunk)
    return [renumber(b) for b in blocks]


def renumber(block: list[Chunk]) -> list[Chunk]:
    """Chunks of one block re-indexed from 0, as the stages expect."""
    first_line = block[0].line
    return [
        Chunk(
            index=k,
            line=c.line - first_line,
            start=c.start,
            end=c.end,
            text=c.text,
            first_in_line=c.first_in_line or k == 0,
            last_in_line=c.last_in_line or k == len(block) - 1,
        )
        for k, c in enumerate(block)
    ]


def draft_stories(
    graph: LinkGraph,
    models: PageModels,
    roles: list[Role],
    chain_model: Scorer | None,
    disable: Collection[str] = (),
    chain_pairs: int = CHAIN_PAIR_BUDGET,
    weak_below: float = 0.0,
) -> list[list[int]]:
    """Stories as the chain matching and the header rules leave them, before pieces merge."""
    chains = split_chains(graph, roles, weak_below)
    links = chain_features(graph, chains, roles, models, disable, chain_pairs)
    grouped, _ = group_chains(chains, links, chain_model)
    texts = graph.table.texts
    articles = split_groups_at_headers(grouped, roles)
    confident = confident_links(graph, link_confidence(graph))
    articles = split_title_stacks(articles, roles, texts, confident)
    return attach_orphan_headers(articles, roles, texts)


def clustered_stories(
    graph: LinkGraph,
    models: PageModels,
    roles: list[Role],
    scorers: tuple[Scorer, Scorer],
    links_confidence: FloatArray,
    disable: Collection[str] = (),
    chain_pairs: int = CHAIN_PAIR_BUDGET,
    weak_below: float = 0.0,
    orderer: Scorer | None = None,
) -> tuple[list[list[int]], FloatArray]:
    """Stories gathered from the chains by the same-story model (``clustering.py``).

    ``scorers`` are the chain model (which chain follows which, to order a story)
    and the same-story model, whose own bar stops the agglomeration; ``orderer``,
    where one ships, orders each story's chains (``ordering.py``). Also returns,
    per fragment, the confidence of the story it went to; ``links_confidence`` is
    :func:`link_confidence` of the graph.
    """
    chain_model, cluster_model = scorers
    chains = split_chains(graph, roles, weak_below)
    if len(chains) < 2:
        return chains, story_confidence(chains, chains, no_pairs(), np.zeros(0), links_confidence)
    links = chain_features(graph, chains, roles, models, disable, chain_pairs)
    chain_model.check_features(links.features.names)
    chain_log_odds = chain_model.log_odds(links.features.matrix)
    pairs = pair_features(chains, roles, graph.table, links, chain_log_odds, disable)
    cluster_model.check_features(pairs.features.names)
    pair_log_odds = cluster_model.log_odds(pairs.features.matrix)
    bars = (decision_bar(cluster_model), decision_bar(chain_model))
    stories = cluster_stories(
        chains, roles, pairs, pair_log_odds, links, chain_log_odds, bars, orderer
    )
    sureness = story_confidence(stories, chains, pairs, pair_log_odds, links_confidence)
    return stories, sureness


def stories_before_merge(
    graph: LinkGraph,
    models: PageModels,
    roles: list[Role],
    language: str,
    scorers: tuple[Scorer | None, Scorer | None, Scorer | None],
    disable: Collection[str] = (),
    chain_pairs: int = CHAIN_PAIR_BUDGET,
) -> tuple[list[list[int]], FloatArray | None]:
    """The stories the merge model is handed, with each fragment's story confidence.

    ``scorers`` are the chain, same-story and story-ordering models. Where a
    same-story model ships its clusters are the stories; otherwise the chain
    matching and the header rules leave them (:func:`draft_stories`, no
    confidence). The engine and the merge model's training both start here, so
    the merge model is fitted on the groups it will see.
    """
    chain_model, cluster_model, orderer = scorers
    weak = weak_link_bar(language)
    if cluster_model is None or chain_model is None:
        return draft_stories(graph, models, roles, chain_model, disable, chain_pairs, weak), None
    articles, sureness = clustered_stories(
        graph,
        models,
        roles,
        (chain_model, cluster_model),
        link_confidence(graph),
        disable,
        chain_pairs,
        weak,
        orderer,
    )
    if language_family(language) in ORPHAN_HEADER_LANGUAGES:
        articles = attach_orphan_headers(articles, roles, graph.table.texts)
    return articles, sureness


def story_scorers(
    language: str, disabled: frozenset[str]
) -> tuple[Scorer | None, Scorer | None, Scorer | None]:
    """The shipped chain, same-story and ordering models ``stories_before_merge`` reads."""
    chain_model = load_link_model("chains", language, disabled)
    cluster_model = load_link_model("cluster", language, disabled)
    # One ordering model serves every ablation: it reads only chain scores and structure.
    ordered = cluster_model is not None and language_family(language) in ORDER_LANGUAGES
    orderer = load_link_model("order", language, frozenset()) if ordered else None
    return chain_model, cluster_model, orderer


def reconstruct_block(
    text: str,
    chunks: list[Chunk],
    language: str,
    disable: Collection[str] = (),
    *,
    keep: int | None = None,
    chain_pairs: int = CHAIN_PAIR_BUDGET,
) -> tuple[list[ArticlePlan], list[tuple[int, int]], list[str], int]:
    """The full pipeline on one page (or one block of a very large page)."""
    disabled = frozenset(disable)
    graph, models = page_graph(text, chunks, language, disabled, keep=keep)
    roles, sureness = role_guesses(graph, load_role_model(language))
    scorers = story_scorers(language, disabled)
    articles, story_sureness = stories_before_merge(
        graph, models, roles, language, scorers, disabled, chain_pairs
    )
    # The merge model reads whole stories (topic, neighbourhood, sizes), so it also finds
    # the home of a piece the same-story model, which reads chain pairs, left alone.
    candidates = merge_candidates(articles, roles, graph.table, disabled)
    merge_model = load_link_model("merge", language, disabled)
    articles = merge_stories(articles, candidates, merge_model, merge_bar(language))
    articles = captions_last(articles, roles)
    articles = release_furniture(articles, sure_furniture(roles, sureness))
    plans, unassigned = assemble_articles(
        graph.fragments, graph.table, articles, roles, link_confidence(graph), story_sureness
    )
    return plans, unassigned, graph.warnings, len(graph.fragments)
