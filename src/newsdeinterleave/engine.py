"""The reconstruction pipeline: fragments -> scored links -> chains -> articles.

Each stage is a pure function of the previous stage's typed output; this
module only wires them together and chooses the cheaper settings that keep
very large pages within bounded time.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray

from newsdeinterleave.decoding import chains, decode_links
from newsdeinterleave.features import (
    BLOCK_LANGUAGES,
    BestOffsets,
    Continuity,
    FragmentTable,
    PairFeatures,
    WordContinuity,
    best_offsets,
    candidate_pairs,
    fragment_table,
    order_reliability,
    pair_features,
    score_diagonals,
    top_k_mask,
)
from newsdeinterleave.scoring import Scorer, decision_bar, load_shipped, model_from_json
from newsdeinterleave.segmentation import (
    Chunk,
    Fragment,
    group_fragments,
    split_chunks,
    split_stray_punctuation,
    unflatten,
)
from newsdeinterleave.splicing import Splicer, predict_breaks
from newsdeinterleave.topic import context_vectors, pair_similarity

IntArray = NDArray[np.int64]
FloatArray = NDArray[np.float64]

# Pairs scored per page are bounded: the window shrinks as pages grow so the
# cost stays linear in the number of fragments.
PAIR_BUDGET = 600_000
MAX_WINDOW = 400
MIN_WINDOW = 8
KEEP_PER_FRAGMENT = 16
# Candidates kept per fragment when a page is rebuilt, where it differs from the
# training setting above. Chosen on the dev pages (session 10), models unchanged:
# for Chinese, 32 raised zh-dev broken joins 67.2 -> 67.8 % and perfect articles
# 73 -> 79 (24: 67.6 %, 75); for English more candidates only added confusions
# (en-dev broken joins 27.9 -> 26.8 % at 32), so it keeps 16.
REBUILD_KEEP = {"zh": 32}


def rebuild_keep(language: str) -> int:
    """Candidates per fragment for rebuilding a page in ``language``."""
    return REBUILD_KEEP.get(language_family(language), KEEP_PER_FRAGMENT)


@dataclass(frozen=True)
class LinkGraph:
    """Everything the decoder and :func:`explain` need about one page."""

    fragments: list[Fragment]
    table: FragmentTable
    ii: IntArray
    jj: IntArray
    features: PairFeatures
    log_odds: FloatArray
    successor: IntArray
    model: Scorer | None
    warnings: list[str] = field(default_factory=list)


def window_for(n: int) -> int:
    return int(max(MIN_WINDOW, min(MAX_WINDOW, PAIR_BUDGET // max(2 * n, 1))))


def language_family(language: str) -> str:
    """Models exist for zh and en; other scripts use the model closest in typesetting."""
    return "zh" if language in ("zh", "ja", "ko") else "en"


def engine_lines(chunks: list[Chunk], language: str) -> list[Chunk]:
    """Chunks as the stages read them: a flattened page gets lines again.

    See :func:`segmentation.unflatten`: CJK pages get a line per chunk, Latin
    pages a line per sentence.
    """
    cjk = language_family(language) == "zh"
    return unflatten(split_stray_punctuation(chunks) if cjk else chunks, cjk=cjk)


def page_chunks(text: str, language: str) -> list[Chunk]:
    """The page's chunks as the engine, its explanations and its training read them."""
    return engine_lines(split_chunks(text), language)


@lru_cache(maxsize=64)
def load_link_model(kind: str, language: str, disabled: frozenset[str]) -> Scorer | None:
    data = load_shipped(kind, language_family(language), disabled)
    return model_from_json(data) if data is not None else None


def load_splicer(language: str, disabled: frozenset[str]) -> Splicer | None:
    """The shipped splice models; the column pass is optional (older model sets lack it)."""
    gaps = load_link_model("gaps", language, disabled)
    if gaps is None:
        return None
    return Splicer(gaps, load_link_model("gaps-columns", language, disabled))


@lru_cache(maxsize=4)
def _general_lm(language: str) -> Continuity | None:
    try:
        from newsdeinterleave.language_model import load_language_model
    except ImportError:
        return None
    try:
        return load_language_model(language_family(language))
    except (FileNotFoundError, OSError, ValueError):
        return None


def page_lm(texts: list[str], language: str) -> Continuity | None:
    """Counts from the page's own chunks; no chunk boundary ever supports itself."""
    try:
        from newsdeinterleave.language_model import PageModel
    except ImportError:
        return None
    return PageModel.from_texts(texts, language_family(language))


@dataclass(frozen=True)
class PageModels:
    """The language models one page is scored with (None where disabled or missing)."""

    general: Continuity | None
    page: Continuity | None
    word: WordContinuity | None = None


@lru_cache(maxsize=4)
def _word_lm(language: str) -> WordContinuity | None:
    from newsdeinterleave.word_model import load_word_model

    try:
        return load_word_model(language_family(language))
    except (FileNotFoundError, OSError, ValueError, KeyError):
        return None


def page_models(texts: list[str], language: str, disable: Collection[str]) -> PageModels:
    """The general LMs (characters, and words where one ships) and a page-local LM."""
    general = _general_lm(language) if "lm" not in disable else None
    local = page_lm(texts, language) if "page_lm" not in disable else None
    word = _word_lm(language) if "lm" not in disable else None
    return PageModels(general, local, word)


def make_fragments(
    text: str,
    chunks: list[Chunk],
    language: str,
    disable: Collection[str] = (),
    models: PageModels | None = None,
    *,
    splicer: Splicer | None = None,
    use_model: bool = True,
) -> list[Fragment]:
    """Cut each line into fragments at the gaps the splice models call splices."""
    disabled = frozenset(disable)
    models = models or page_models([c.text for c in chunks], language, disabled)
    if splicer is None and use_model:
        splicer = load_splicer(language, disabled)
    breaks = predict_breaks(
        text,
        chunks,
        splicer,
        general=models.general,
        page=models.page,
        word=models.word,
        disable=disabled,
        fallback_cut_all=language_family(language) == "zh",
        # The Chinese splice models learnt wide gaps from OCR pages, which have them.
        cut_column_gaps=language_family(language) != "zh",
    )
    return group_fragments(text, chunks, breaks)


def build_graph(
    text: str,
    fragments: list[Fragment],
    language: str,
    disable: Collection[str] = (),
    *,
    models: PageModels | None = None,
    prune: Scorer | None = None,
    model: Scorer | None = None,
    use_model: bool = True,
    rich: bool = True,
    keep: int = KEEP_PER_FRAGMENT,
) -> LinkGraph:
    """Score candidate links in two stages and decode them into successor links.

    Stage one scores every pair within the window on cheap evidence and keeps
    the best few per fragment in each direction (always keeping the input
    order's own link); stage two scores only those with the full feature set.
    Without a pruning model (while training it) every windowed pair is kept.
    """
    n = len(fragments)
    table = fragment_table(fragments)
    warnings: list[str] = []
    window = window_for(n)
    if window < MAX_WINDOW and n > 2 * MAX_WINDOW:
        warnings.append(
            f"large page ({n} fragments): links considered only within {window} fragments"
        )
    ii, jj = candidate_pairs(n, window)
    disabled = frozenset(disable)
    if models is None:
        models = page_models(table.texts, language, disabled)
    vectors = context_vectors(fragments) if "topic" not in disabled and n else None

    def features(
        a: IntArray,
        b: IntArray,
        rich: bool,
        reliability: float | None = None,
        first_stage: BestOffsets | None = None,
        first_stage_columns: Sequence[tuple[str, FloatArray]] = (),
    ) -> PairFeatures:
        topic = pair_similarity(vectors, a, b) if vectors is not None else None
        return pair_features(
            table,
            a,
            b,
            general=models.general,
            page=models.page,
            topic=topic,
            word=models.word,
            disable=disabled,
            rich=rich,
            order_reliability=reliability,
            first_stage=first_stage,
            first_stage_columns=first_stage_columns,
            blocks=language_family(language) in BLOCK_LANGUAGES,
        )

    if prune is None and use_model:
        prune = load_link_model("prune", language, disabled)
    reliability: float | None = None
    first_stage: BestOffsets | None = None
    diagonals: list[tuple[str, FloatArray]] = []
    if prune is not None and len(ii):
        cheap = features(ii, jj, rich=False)
        prune.check_features(cheap.names)
        cheap_scores = prune.log_odds(cheap.matrix)
        reliability = order_reliability(ii, jj, cheap_scores, n)
        first_stage = best_offsets(n, ii, jj, cheap_scores)
        kept = top_k_mask(ii, jj, cheap_scores, keep)
        kept |= jj == ii + 1
        diagonals = [(name, col[kept]) for name, col in score_diagonals(n, ii, jj, cheap_scores)]
        ii, jj = ii[kept], jj[kept]
    feats = features(
        ii,
        jj,
        rich=rich,
        reliability=reliability,
        first_stage=first_stage,
        first_stage_columns=diagonals,
    )
    if model is None and use_model:
        model = load_link_model("links", language, disabled)
    if not len(ii):
        log_odds = np.zeros(0)
    elif model is not None and model.names == feats.names:
        log_odds = model.log_odds(feats.matrix)
    else:
        if use_model:
            warnings.append("no trained link model for these settings: input order kept")
        natural = feats.matrix[:, feats.names.index("natural")] if len(ii) else np.zeros(0)
        log_odds = np.where(natural > 0, 5.0, -5.0)
    threshold = decision_bar(model) if model is not None else 0.0
    successor = decode_links(n, ii, jj, log_odds, threshold)
    return LinkGraph(fragments, table, ii, jj, feats, log_odds, successor, model, warnings)


def page_graph(
    text: str,
    chunks: list[Chunk],
    language: str,
    disable: Collection[str] = (),
    *,
    keep: int | None = None,
) -> tuple[LinkGraph, PageModels]:
    """Fragments and their decoded links, with the page's language models counted once.

    The reconstruction and :func:`explain` both start here, so an explanation
    scores exactly the links the result was built from. ``keep`` defaults to
    :func:`rebuild_keep` of the language.
    """
    disabled = frozenset(disable)
    keep = rebuild_keep(language) if keep is None else keep
    models = page_models([c.text for c in chunks], language, disabled)
    fragments = make_fragments(text, chunks, language, disabled, models)
    graph = build_graph(text, fragments, language, disabled, models=models, keep=keep)
    return graph, models


def link_chains(graph: LinkGraph) -> list[list[int]]:
    return chains(graph.successor)
