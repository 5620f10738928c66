"""Fit the shipped link models from labelled training pages.

``python -m newsdeinterleave.training --pages benchmarks/pages --out src/newsdeinterleave/data``

Only pages of the ``train`` split (per ``manifest.jsonl``) are used; the seed
page and the dev/test splits never are. One model is fitted with every feature
family and one with each family left out, so ablations measure a model that
never saw the family rather than one whose inputs were zeroed.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

import numpy as np
from numpy.typing import NDArray

from newsdeinterleave.boosting import BOOSTED_TREES, BoostedLinkModel
from newsdeinterleave.column_layout import (
    COLUMN_LANGUAGES,
    LAYOUT_FEATURES,
    GapGeometry,
    column_matrix,
    gap_geometry,
)
from newsdeinterleave.decoding import decode_links
from newsdeinterleave.engine import (
    LinkGraph,
    PageModels,
    build_graph,
    language_family,
    make_fragments,
    page_chunks,
    page_models,
)
from newsdeinterleave.evaluation import load_gold
from newsdeinterleave.features import FAMILIES, PairFeatures
from newsdeinterleave.grouping import chain_features
from newsdeinterleave.labels import END, UNKNOWN, fragment_successors, next_char_map
from newsdeinterleave.language_model import NGramModel, train_shipped_config, training_texts
from newsdeinterleave.merging import merge_candidates
from newsdeinterleave.models import Role
from newsdeinterleave.pipeline import (
    fragment_roles,
    graph_link_evidence,
    split_chains,
    stories_before_merge,
    weak_link_bar,
)
from newsdeinterleave.roles import LINK_ROLE_LANGUAGES, RoleModel, role_features
from newsdeinterleave.scoring import (
    LinkModel,
    Scorer,
    model_filename,
    model_from_json,
    probability,
    save,
)
from newsdeinterleave.segmentation import Chunk, Fragment
from newsdeinterleave.splicing import NEIGHBOUR_LANGUAGES, Splicer, gap_features, line_gaps
from newsdeinterleave.splits import page_set
from newsdeinterleave.text import display_width
from newsdeinterleave.word_model import WORD_LANGUAGES, WordModel, train_word_model


@dataclass
class DecodeCase:
    """One page's full candidate graph with gold successors, to fit the decoding threshold."""

    n: int
    ii: NDArray[np.int64]
    jj: NDArray[np.int64]
    matrix: NDArray[np.float64]
    gold: NDArray[np.int64]  # successor per node: index, END (-1) or UNKNOWN (-2)


@dataclass
class TrainingSet:
    names: list[str]
    families: list[str]
    matrix: NDArray[np.float64]
    labels: NDArray[np.int64]
    weights: NDArray[np.float64]
    cases: list[DecodeCase] = field(default_factory=list)


THRESHOLDS = np.arange(-10.0, 2.01, 0.5)
CASE_EVERY = 6
# Boosting rounds of the link model, which learns from far more rows (1.7 million in English)
# than any other stage. Chosen on English train pages held out by page (even pages fitted, odd
# scored; session 26): decoded successors of the gold links the extractor broke went 61.3 %
# (150 rounds) -> 62.7 % (450) and held-out log-loss 0.0489 -> 0.0461; 300 rounds of depth 8
# gave 62.5 %.
LINK_TREES = 450


def fit_threshold(model: Scorer, columns: list[int], cases: list[DecodeCase]) -> float:
    """The log-odds bar for taking a link that decodes training pages most accurately."""
    if not cases:
        return 0.0
    best, best_acc = 0.0, -1.0
    scored = [(c, model.log_odds(c.matrix[:, columns])) for c in cases]
    for threshold in THRESHOLDS:
        right = total = 0
        for case, log_odds in scored:
            succ = decode_links(case.n, case.ii, case.jj, log_odds, float(threshold))
            known = case.gold != UNKNOWN
            right += int((succ[known] == case.gold[known]).sum())
            total += int(known.sum())
        acc = right / max(total, 1)
        if acc > best_acc + 1e-9:
            best, best_acc = float(threshold), acc
    return best


def manifest_rows(pages_dir: Path) -> Iterator[dict[str, Any]]:
    """The rows of ``pages_dir/manifest.jsonl``, one per page."""
    with (pages_dir / "manifest.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def gold_path(pages_dir: Path, row: Mapping[str, Any]) -> Path:
    """The gold file of a manifest row (beside its page text)."""
    return pages_dir / Path(row["path"]).with_suffix(".json")


def training_pages(pages_dir: Path, language: str, split: str = "train") -> Iterator[Path]:
    """Gold files of one page set (:func:`splits.page_set`): a split's, or a labelled set's."""
    for rec in manifest_rows(pages_dir):
        if page_set(rec) == split and rec["language"] == language:
            yield gold_path(pages_dir, rec)


def fitting_pages(pages_dir: Path, language: str, page_sets: Sequence[str]) -> list[Path]:
    """The gold files a model may be fitted on: the train split and the named extra sets.

    An extra set (a labelled batch such as ``ocr``, built by the generator's
    ``--label`` over the train articles) is read only when named, so the
    commands that fitted earlier models still read the pages they read. A set
    built over dev or test articles is refused: fitting on it would leak the
    articles the benchmark scores.
    """
    out: list[Path] = []
    for rec in manifest_rows(pages_dir):
        if rec["language"] != language or page_set(rec) not in page_sets:
            continue
        if rec["split"] != "train":
            raise ValueError(
                f"page set {page_set(rec)!r} is built over {rec['split']} articles;"
                " only train articles may be fitted on"
            )
        out.append(gold_path(pages_dir, rec))
    return out


# Languages whose train pages are scored with cross-fitted LMs (--lm-folds). Chosen
# on dev: for Chinese it gained perfect articles, titles and B-cubed F1 at about
# the same broken-join accuracy; for English it cost 2 points of broken-join
# accuracy (docs/engine.md, session 9), so English is scored with the shipped LM.
LM_FOLD_LANGUAGES = frozenset({"zh"})


def page_article_ids(pages_dir: Path) -> dict[Path, tuple[str, ...]]:
    """The corpus articles each page of ``pages_dir`` was set from (its manifest says)."""
    return {
        gold_path(pages_dir, rec): tuple(rec.get("article_ids", ()))
        for rec in manifest_rows(pages_dir)
    }


def fold_exclusions(
    pages: list[Path], article_ids: dict[Path, tuple[str, ...]], folds: int
) -> list[set[str]]:
    """Per fold, the articles its language model must not read: those set on its pages.

    Pages set from the same articles (one layout read by several extractors)
    share a fold; the ``k``-th distinct article set, in the given order, is in
    fold ``k % folds``. An article set on pages of two folds is left out of both.
    """
    excluded: list[set[str]] = [set() for _ in range(folds)]
    for page, fold in page_fold(pages, article_ids, folds).items():
        excluded[fold].update(article_ids[page])
    return excluded


def page_fold(
    pages: list[Path], article_ids: dict[Path, tuple[str, ...]], folds: int
) -> dict[Path, int]:
    """The fold of each page (see :func:`fold_exclusions`)."""
    order: dict[tuple[str, ...], int] = {}
    out: dict[Path, int] = {}
    for page in pages:
        ids = article_ids.get(page)
        if not ids:
            raise ValueError(f"{page}: its manifest names no article_ids to cross-fit the LM")
        out[page] = order.setdefault(ids, len(order)) % folds
    return out


def fold_language_models(
    pages: list[Path],
    article_ids: dict[Path, tuple[str, ...]],
    corpus: Path,
    language: str,
    folds: int,
) -> dict[Path, NGramModel]:
    """A language model per page that never read the page's own articles.

    The shipped LM was trained on the train split, so on train pages it
    continues lines it has memorised (pair accuracy 0.99 on train-split
    paragraphs against 0.94 on dev, docs/engine.md); models fitted on such
    evidence trust it more than it deserves at run time. Each fold's pages are
    scored with an LM trained on the train split without their articles.
    """
    family = language_family(language)
    models = [
        train_shipped_config(training_texts(corpus, family, exclude), family)
        for exclude in fold_exclusions(pages, article_ids, folds)
    ]
    return {page: models[k] for page, k in page_fold(pages, article_ids, folds).items()}


def fold_word_models(
    pages: list[Path],
    article_ids: dict[Path, tuple[str, ...]],
    corpus: Path,
    language: str,
    folds: int,
) -> dict[Path, WordModel]:
    """A word model per page that never read the page's own articles.

    Always cross-fitted (where ``--lm-folds`` > 1): nothing in the word model
    is pruned, so on its own training text it knows every trigram, and a link
    model fitted on that evidence would trust it far beyond what it earns on
    a page of unseen articles.
    """
    family = language_family(language)
    models = [
        train_word_model(training_texts(corpus, family, exclude), family)
        for exclude in fold_exclusions(pages, article_ids, folds)
    ]
    return {page: models[k] for page, k in page_fold(pages, article_ids, folds).items()}


@dataclass
class LabelledPage:
    text: str
    language: str
    chunks: list[Chunk]
    nxt: NDArray[np.int64]
    roles: list[str]
    models: PageModels
    article: NDArray[np.int64]  # gold article of each character, -1 outside any


def labelled_page(
    json_path: Path, general: NGramModel | None = None, word: WordModel | None = None
) -> LabelledPage:
    """A gold page made ready for fitting; ``general`` and ``word`` replace the shipped LMs."""
    gold, text = load_gold(json_path, validate=False)
    articles = [[(p.start, p.end) for p in a.pieces] for a in gold.articles]
    chunks = page_chunks(text, gold.language)
    models = page_models([c.text for c in chunks], gold.language, ())
    roles = ["other"] * len(text)
    owner = np.full(len(text), -1, dtype=np.int64)
    for a, article in enumerate(gold.articles):
        for piece in article.pieces:
            roles[piece.start : piece.end] = [piece.role] * (piece.end - piece.start)
            owner[piece.start : piece.end] = a
    return LabelledPage(
        text=text,
        language=gold.language,
        chunks=chunks,
        nxt=next_char_map(text, articles),
        roles=roles,
        models=replace(
            models,
            general=models.general if general is None else general,
            word=models.word if word is None else word,
        ),
        article=owner,
    )


@dataclass
class PageGaps:
    """One page's within-line gaps: features, labels (where known) and geometry."""

    names: list[str]
    families: list[str]
    matrix: NDArray[np.float64]
    labels: NDArray[np.int64]
    known: NDArray[np.bool_]
    geometry: GapGeometry

    def training_set(self, matrix: NDArray[np.float64] | None = None) -> TrainingSet:
        rows = self.matrix if matrix is None else matrix
        return TrainingSet(
            self.names,
            self.families,
            rows[self.known],
            self.labels[self.known],
            np.ones(int(self.known.sum())),
        )


def page_gaps(page: LabelledPage, words: bool = True) -> PageGaps | None:
    """Every within-line gap, labelled 1 where reading order does not run straight across it.

    ``words=False`` leaves out the word model's columns, to score splice
    models fitted without them.
    """
    gaps = line_gaps(page.chunks)
    if not len(gaps.right):
        return None
    names, families, matrix = gap_features(
        page.text,
        page.chunks,
        gaps,
        general=page.models.general,
        page=page.models.page,
        word=page.models.word if words else None,
        neighbours=language_family(page.language) in NEIGHBOUR_LANGUAGES,
    )
    last_char = np.array([page.chunks[k].end - 1 for k in gaps.left.tolist()], dtype=np.int64)
    first_char = np.array([page.chunks[k].start for k in gaps.right.tolist()], dtype=np.int64)
    target = page.nxt[last_char]
    widths = np.array([display_width(c.text) for c in page.chunks], dtype=np.float64)
    return PageGaps(
        names,
        families,
        matrix,
        (target != first_char).astype(np.int64),
        target != UNKNOWN,
        gap_geometry(page.chunks, widths, gaps.right),
    )


def link_examples(
    page: LabelledPage,
    splicer: Splicer,
    prune: Scorer | None,
    rng: np.random.Generator,
    negative_rate: float,
    keep_case: bool = False,
) -> TrainingSet | None:
    """Candidate pairs of one page with gold labels; far negatives are subsampled and reweighted.

    With ``prune=None`` these are stage-one rows (cheap features, every
    windowed pair); with a pruning model, stage-two rows (rich features, the
    pairs that survive pruning), exactly as the engine sees them.
    """
    text, language = page.text, page.language
    fragments = make_fragments(text, page.chunks, language, (), page.models, splicer=splicer)
    if len(fragments) < 2:
        return None
    graph = build_graph(
        text,
        fragments,
        language,
        models=page.models,
        prune=prune,
        use_model=False,
        rich=prune is not None,
    )
    succ = fragment_successors(fragments, page.nxt)
    ii, jj = graph.ii, graph.jj
    labelled = succ[ii] != UNKNOWN
    y = (succ[ii] == jj).astype(np.int64)
    near = np.abs(jj - ii) <= 2
    rate = negative_rate if prune is None else min(1.0, negative_rate * 10)
    keep_prob = np.where((y == 1) | near, 1.0, rate)
    keep = labelled & (rng.random(len(ii)) < keep_prob)
    cases = []
    if prune is not None and keep_case:
        cases.append(DecodeCase(len(fragments), ii, jj, graph.features.matrix, succ))
    return TrainingSet(
        names=graph.features.names,
        families=graph.features.families,
        matrix=graph.features.matrix[keep],
        labels=y[keep],
        weights=1.0 / keep_prob[keep],
        cases=cases,
    )


def scored_graph(page: LabelledPage, splicer: Splicer, prune: Scorer, links: Scorer) -> LinkGraph:
    """The page's fragments and decoded links, as the engine builds them with these models.

    The role, chain, same-story, order and merge examples all start from this
    graph, so it is built once per page and kept without its feature matrix (the
    later stages read only the scores and the decoded links; the matrices of every
    train page would not fit in memory). It keeps ``engine.KEEP_PER_FRAGMENT`` candidates, not the
    engine's Chinese rebuild setting (``engine.rebuild_keep``, 32): the later
    Chinese stages refitted on 32-candidate graphs scored lower on zh-dev
    (session 25, docs/engine.md).
    """
    fragments = make_fragments(
        page.text, page.chunks, page.language, (), page.models, splicer=splicer
    )
    graph = build_graph(
        page.text, fragments, page.language, models=page.models, prune=prune, model=links
    )
    names, families = graph.features.names, graph.features.families
    return replace(graph, features=PairFeatures(names, families, np.zeros((0, len(names)))))


def role_examples(page: LabelledPage, graph: LinkGraph) -> tuple[NDArray[np.float64], list[Role]]:
    """Role features of each fragment, labelled with the gold role of its first character."""
    fragments = graph.fragments
    reads_links = language_family(page.language) in LINK_ROLE_LANGUAGES
    evidence = graph_link_evidence(graph) if reads_links else None
    matrix = role_features(graph.table, evidence)
    labels: list[Role] = [cast(Role, page.roles[f.start]) for f in fragments]
    return matrix, labels


def chain_examples(
    page: LabelledPage, graph: LinkGraph, roles_model: RoleModel
) -> TrainingSet | None:
    """Chain-to-chain pairs as the engine builds them from the fitted lower stages."""
    fragments = graph.fragments
    if len(fragments) < 2:
        return None
    roles = fragment_roles(graph, roles_model)
    chains = split_chains(graph, roles, weak_link_bar(page.language))
    if len(chains) < 2:
        return None
    pairs = chain_features(graph, chains, roles, page.models)
    succ = fragment_successors(fragments, page.nxt)
    last = np.array([c[-1] for c in chains], dtype=np.int64)
    head = np.array([c[0] for c in chains], dtype=np.int64)
    gold_next = succ[last[pairs.ii]]
    known = gold_next != UNKNOWN
    labels = (gold_next == head[pairs.jj]).astype(np.int64)
    chain_of_head = {int(h): c for c, h in enumerate(head.tolist())}
    gold_chain = np.array(
        [
            END if succ[a] == END else chain_of_head.get(int(succ[a]), UNKNOWN)
            for a in last.tolist()
        ],
        dtype=np.int64,
    )
    return TrainingSet(
        pairs.features.names,
        pairs.features.families,
        pairs.features.matrix[known],
        labels[known],
        np.ones(int(known.sum())),
        cases=[DecodeCase(len(chains), pairs.ii, pairs.jj, pairs.features.matrix, gold_chain)],
    )


def group_articles(
    page: LabelledPage, fragments: list[Fragment], groups: list[int], articles: list[list[int]]
) -> NDArray[np.int64]:
    """The gold article holding most of each group's characters (-1: mostly outside any)."""
    out = np.full(len(groups), -1, dtype=np.int64)
    for r, g in enumerate(groups):
        owners = np.concatenate(
            [page.article[fragments[k].start : fragments[k].end] for k in articles[g]]
        )
        counts = np.bincount(owners + 1)
        out[r] = int(np.argmax(counts)) - 1
    return out


@dataclass(frozen=True)
class StoryStages:
    """The fitted stages that turn a page's link graph into the stories the merge model sees.

    ``cluster`` and ``order`` are None where that language ships no such model (the
    engine then drafts stories by chain matching, and so does the merge training).
    """

    roles: RoleModel
    chains: Scorer
    cluster: Scorer | None = None
    order: Scorer | None = None


def merge_examples(page: LabelledPage, graph: LinkGraph, stages: StoryStages) -> TrainingSet | None:
    """(piece, story) pairs as the engine builds them, labelled 1 where both are one gold story.

    Rows are weighted by the piece's length: B-cubed counts characters, so a
    long piece sent to the wrong story costs more than a one-line one.
    """
    fragments = graph.fragments
    if len(fragments) < 2:
        return None
    roles = fragment_roles(graph, stages.roles)
    scorers = (stages.chains, stages.cluster, stages.order)
    articles, _ = stories_before_merge(graph, page.models, roles, page.language, scorers)
    candidates = merge_candidates(articles, roles, graph.table)
    if candidates is None:
        return None
    guest_gold = group_articles(page, fragments, candidates.guests, articles)
    host_gold = group_articles(page, fragments, candidates.hosts, articles)
    a, b = guest_gold[candidates.ii], host_gold[candidates.jj]
    labels = ((a == b) & (a >= 0)).astype(np.int64)
    size = np.array(
        [sum(len(graph.table.texts[k]) for k in articles[g]) for g in candidates.guests],
        dtype=np.float64,
    )
    return TrainingSet(
        candidates.features.names,
        candidates.features.families,
        candidates.features.matrix,
        labels,
        size[candidates.ii] / max(float(size.mean()), 1.0),
    )


def fit_merge(
    labelled: list[LabelledPage],
    graphs: list[LinkGraph],
    family: str,
    stages: StoryStages,
    args: argparse.Namespace,
) -> None:
    """Fit and save the merge models (all families and each ablation) on the final lower stages."""
    examples = (merge_examples(p, g, stages) for p, g in zip(labelled, graphs, strict=True))
    data = stack([e for e in examples if e])
    if len(np.unique(data.labels)) < 2:
        # Few pages: the clustering may leave no piece of a story apart from it.
        print(f"{family}: merge pairs {len(data.labels)}, all one class; no merge model written")
        return
    for name, model in fit_all(data, "merge", family, args.seed).items():
        save(model.to_json(), args.out, name)
    print(f"{family}: merge pairs {len(data.labels)} ({int(data.labels.sum())} same story)")


def stack(parts: list[TrainingSet]) -> TrainingSet:
    if not parts:
        raise SystemExit("no training pages found")
    return TrainingSet(
        names=parts[0].names,
        families=parts[0].families,
        matrix=np.vstack([p.matrix for p in parts]),
        labels=np.concatenate([p.labels for p in parts]),
        weights=np.concatenate([p.weights for p in parts]),
        cases=[c for p in parts for c in p.cases][:80],
    )


def fit_all(
    data: TrainingSet,
    kind: str,
    language: str,
    seed: int,
    *,
    boosted: bool = False,
    trees: int = BOOSTED_TREES,
    bar: Callable[[Scorer, list[int]], float] | None = None,
    ablations: bool = True,
) -> dict[str, Scorer]:
    """One model with every feature family and one without each (for the ablations).

    ``trees`` is the number of boosting rounds of a boosted model. Each model's
    decision bar comes from ``bar(model, columns)`` if given, else from the
    decoding cases the data carries (:func:`fit_threshold`). ``ablations=False``
    fits the full model only.
    """
    models: dict[str, Scorer] = {}
    settings: list[frozenset[str]] = [frozenset()]
    if ablations:
        settings += [frozenset([f]) for f in FAMILIES]
    for disabled in settings:
        cols = [k for k, fam in enumerate(data.families) if fam not in disabled]
        meta: dict[str, object] = {
            "language": language,
            "disabled": sorted(disabled),
            "rows": int(len(data.labels)),
            "positives": int(data.labels.sum()),
            "seed": seed,
        }
        matrix, labels = data.matrix[:, cols], data.labels
        names, families = [data.names[k] for k in cols], [data.families[k] for k in cols]
        model: Scorer
        if boosted:
            model = BoostedLinkModel.fit(
                matrix,
                labels,
                names,
                families,
                seed=seed,
                meta=meta,
                sample_weight=data.weights,
                max_iter=trees,
            )
        else:
            model = LinkModel.fit(
                matrix, labels, names, families, seed=seed, meta=meta, sample_weight=data.weights
            )
        if bar is not None:
            model.meta["threshold"] = bar(model, cols)
        elif data.cases:
            model.meta["threshold"] = fit_threshold(model, cols, data.cases)
        models[model_filename(kind, language, disabled)] = model
    return models


def collect_links(
    labelled: list[LabelledPage],
    gaps: Splicer,
    prune: Scorer | None,
    rng: np.random.Generator,
    negative_rate: float,
) -> TrainingSet:
    """Link examples of every page, stage one (``prune=None``) or stage two."""
    return stack([p for p in page_links(labelled, gaps, prune, rng, negative_rate) if p])


def page_links(
    labelled: list[LabelledPage],
    gaps: Splicer,
    prune: Scorer | None,
    rng: np.random.Generator,
    negative_rate: float,
) -> list[TrainingSet | None]:
    """Link examples of each page (``None`` for a page with one fragment), in page order."""
    return [
        link_examples(page, gaps, prune, rng, negative_rate, keep_case=k % CASE_EVERY == 0)
        for k, page in enumerate(labelled)
    ]


def cross_fitted_graphs(
    labelled: list[LabelledPage],
    parts: list[TrainingSet | None],
    stages: tuple[Splicer, Scorer],
    family: str,
    seed: int,
    folds: int,
) -> list[LinkGraph]:
    """Each page's link graph decoded by a link model that never saw the page.

    The later stages learn how far to trust the decoded links, and graphs decoded
    by a link model fitted on the same pages are cleaner than any page it meets at
    run time. Session 27 (docs/engine.md): refitting the English later stages on
    the 450-round link model's own graphs cost en-dev 1.6 B-cubed F1 and 11
    titles, on two-fold graphs 0.8 and 3, so neither replaced the shipped stages
    but a refit above a changed link model should use folds. Page ``k`` is in
    fold ``k % folds``, as for the splice stage's out-of-fold cuts.
    """
    if not 2 <= folds <= len(labelled):
        raise ValueError(f"link folds must be between 2 and the {len(labelled)} pages, not {folds}")
    splicer, prune = stages
    graphs: list[LinkGraph | None] = [None] * len(labelled)
    for fold in range(folds):
        rest = stack([p for k, p in enumerate(parts) if p and k % folds != fold])
        models = fit_all(
            rest, "links", family, seed, boosted=True, trees=LINK_TREES, ablations=False
        )
        model = models[model_filename("links", family)]
        for k in range(fold, len(labelled), folds):
            graphs[k] = scored_graph(labelled[k], splicer, prune, model)
        print(f"{family}: link fold {fold} fitted on {len(rest.labels)} rows")
    return [g for g in graphs if g is not None]


def load_model(folder: Path, kind: str, language: str) -> Scorer:
    """A model of the full setting saved in ``folder`` (as training writes it)."""
    return model_from_json((folder / model_filename(kind, language)).read_text("utf-8"))


def _load_optional(folder: Path, kind: str, language: str) -> Scorer | None:
    path = folder / model_filename(kind, language)
    return model_from_json(path.read_text("utf-8")) if path.exists() else None


def load_stages(folder: Path, family: str) -> tuple[Splicer, Scorer, Scorer, RoleModel, Scorer]:
    """Every fitted stage below the merge, as saved in ``folder``."""
    splicer = Splicer(
        load_model(folder, "gaps", family), _load_optional(folder, "gaps-columns", family)
    )
    roles = RoleModel.from_json((folder / model_filename("roles", family)).read_text("utf-8"))
    return (
        splicer,
        load_model(folder, "prune", family),
        load_model(folder, "links", family),
        roles,
        load_model(folder, "chains", family),
    )


def fit_gaps(labelled: list[LabelledPage], family: str, args: argparse.Namespace) -> Splicer:
    """Fit and save both splice passes (all families and each ablation); return the full pair."""
    pages = [g for g in map(page_gaps, labelled) if g]
    first = stack([g.training_set() for g in pages])
    gap_models = fit_all(first, "gaps", family, args.seed, boosted=True)
    column_models = fit_column_models(pages, family, args.seed)
    for name, model in {**gap_models, **column_models}.items():
        save(model.to_json(), args.out, name)
    print(f"{family}: gaps {len(first.labels)} ({int(first.labels.sum())} cuts)")
    return Splicer(
        gap_models[model_filename("gaps", family)],
        column_models.get(model_filename("gaps-columns", family)),
    )


# Pages are split into this many folds so the column pass learns from
# first-pass probabilities on pages the first pass never saw, as at run time.
COLUMN_FOLDS = 2


def fit_column_models(pages: list[PageGaps], language: str, seed: int) -> dict[str, Scorer]:
    """The column pass for every setting that keeps the ``length`` family."""
    if language not in COLUMN_LANGUAGES or len(pages) < COLUMN_FOLDS:
        return {}
    models: dict[str, Scorer] = {}
    names, families = pages[0].names, pages[0].families
    folds = fold_rest(pages)
    settings: list[frozenset[str]] = [frozenset()] + [frozenset([f]) for f in FAMILIES]
    for disabled in settings:
        if "length" in disabled:
            continue
        cols = [k for k, fam in enumerate(families) if fam not in disabled]
        first_pass = out_of_fold(pages, folds, cols, seed)
        data = stack(
            [
                page.training_set(column_matrix(page.geometry, page.matrix[:, cols], p))
                for page, p in zip(pages, first_pass, strict=True)
            ]
        )
        models[model_filename("gaps-columns", language, disabled)] = BoostedLinkModel.fit(
            data.matrix,
            data.labels,
            [names[k] for k in cols] + list(LAYOUT_FEATURES),
            [families[k] for k in cols] + ["length"] * len(LAYOUT_FEATURES),
            seed=seed,
            meta={
                "language": language,
                "disabled": sorted(disabled),
                "rows": int(len(data.labels)),
                "positives": int(data.labels.sum()),
                "seed": seed,
                "folds": COLUMN_FOLDS,
            },
            sample_weight=data.weights,
        )
    return models


def fold_rest(pages: list[PageGaps]) -> list[TrainingSet]:
    """Per fold, the training rows of every page outside it (page ``k`` is in fold
    ``k % COLUMN_FOLDS``), stacked once for every ablation setting."""
    return [
        stack([p.training_set() for k, p in enumerate(pages) if k % COLUMN_FOLDS != fold])
        for fold in range(COLUMN_FOLDS)
    ]


def out_of_fold(
    pages: list[PageGaps], folds: list[TrainingSet], cols: list[int], seed: int
) -> list[NDArray[np.float64]]:
    """First-pass cut probabilities of each page from a model fitted on the other folds.

    ``folds[f]`` holds the training rows of every page outside fold ``f``
    (page ``k`` is in fold ``k % len(folds)``).
    """
    out: list[NDArray[np.float64]] = [np.zeros(0)] * len(pages)
    for fold, rest in enumerate(folds):
        model = BoostedLinkModel.fit(
            rest.matrix[:, cols],
            rest.labels,
            [rest.names[k] for k in cols],
            [rest.families[k] for k in cols],
            seed=seed,
            meta={},
            sample_weight=rest.weights,
        )
        for k in range(fold, len(pages), len(folds)):
            out[k] = probability(model.log_odds(pages[k].matrix[:, cols]))
    return out


def fit_lower(
    labelled: list[LabelledPage], family: str, args: argparse.Namespace, rng: np.random.Generator
) -> tuple[Splicer, Scorer]:
    """Fit (and save) the splice-cut models, then the first-stage pruning models."""
    full_gaps = fit_gaps(labelled, family, args)
    cheap = collect_links(labelled, full_gaps, None, rng, args.negative_rate)
    prune_models = fit_all(cheap, "prune", family, args.seed)
    for name, model in prune_models.items():
        save(model.to_json(), args.out, name)
    print(f"{family}: pruning rows {len(cheap.labels)} ({int(cheap.labels.sum())} links)")
    return full_gaps, prune_models[model_filename("prune", family)]


def labelled_pages(args: argparse.Namespace, language: str) -> list[LabelledPage]:
    """The train pages of ``language`` in ``args.pages``, scored with fold LMs where due."""
    excluded = set(args.exclude)
    pages = sorted(
        path
        for folder in args.pages
        for path in fitting_pages(folder, language, ["train", *args.page_sets])
        if path.stem not in excluded
    )
    if args.max_pages:
        pages = pages[: args.max_pages]
    family = language_family(language)
    if args.lm_folds <= 1:
        return [labelled_page(p) for p in pages]
    ids = {k: v for folder in args.pages for k, v in page_article_ids(folder).items()}
    lms: dict[Path, NGramModel] = {}
    words: dict[Path, WordModel] = {}
    if family in LM_FOLD_LANGUAGES:
        lms = fold_language_models(pages, ids, args.corpus, language, args.lm_folds)
    if family in WORD_LANGUAGES:
        words = fold_word_models(pages, ids, args.corpus, language, args.lm_folds)
    return [labelled_page(p, lms.get(p), words.get(p)) for p in pages]


def page_arguments(parser: argparse.ArgumentParser) -> None:
    """The options saying which pages to fit on and where the models go (shared by the CLIs)."""
    parser.add_argument(
        "--pages",
        type=Path,
        nargs="+",
        default=[Path("benchmarks/pages")],
        help="folders holding manifest.jsonl and gold pages (the train split, and --page-sets)",
    )
    parser.add_argument(
        "--page-sets",
        nargs="*",
        default=[],
        help="labelled page sets over the train articles to fit on beside the train split"
        " (e.g. ocr: the extra Tesseract psm6 English pages)",
    )
    parser.add_argument(
        "--exclude",
        nargs="*",
        default=[],
        help="page ids to leave out (e.g. to hold some training pages out for checks)",
    )
    parser.add_argument("--out", type=Path, default=Path("src/newsdeinterleave/data"))
    parser.add_argument(
        "--corpus",
        type=Path,
        default=Path("../shared/corpus"),
        help="the corpus folder, for the cross-fitted language models (--lm-folds)",
    )
    parser.add_argument(
        "--lm-folds",
        type=int,
        default=10,
        help="score train pages of LM_FOLD_LANGUAGES with LMs that never read their articles"
        " (0: the shipped LM for every language)",
    )
    parser.add_argument("--languages", nargs="+", default=["zh", "en"])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--max-pages", type=int, default=0)


def fit_roles(
    labelled: list[LabelledPage], graphs: list[LinkGraph], family: str, args: argparse.Namespace
) -> RoleModel:
    """Fit the role model on the decoded train pages and save it to ``args.out``."""
    parts = [role_examples(p, g) for p, g in zip(labelled, graphs, strict=True)]
    model = RoleModel.fit(
        np.vstack([m for m, _ in parts]),
        [r for _, labels in parts for r in labels],
        seed=args.seed,
        links=family in LINK_ROLE_LANGUAGES,
    )
    save(model.to_json(), args.out, model_filename("roles", family))
    return model


def main(argv: list[str] | None = None) -> None:
    from newsdeinterleave.ordering import ORDER_LANGUAGES
    from newsdeinterleave.training_clusters import fit_clusters
    from newsdeinterleave.training_order import fit_order

    parser = argparse.ArgumentParser(description=__doc__)
    page_arguments(parser)
    parser.add_argument("--negative-rate", type=float, default=0.02)
    parser.add_argument(
        "--reuse-links",
        action="store_true",
        help="also load the link models from --out and refit only the role and chain models",
    )
    parser.add_argument(
        "--gaps-only",
        action="store_true",
        help="refit only the splice-cut models and keep the later stages' models in --out",
    )
    parser.add_argument(
        "--merge-only",
        action="store_true",
        help="refit only the merge models on the other stages' models in --out",
    )
    parser.add_argument(
        "--roles-only",
        action="store_true",
        help="refit only the role model on the splice and link models in --out",
    )
    parser.add_argument(
        "--links-only",
        action="store_true",
        help="refit only the link models on the splice and pruning models in --out"
        " and keep the later stages' models as they are",
    )
    parser.add_argument(
        "--reuse-lower",
        action="store_true",
        help="load the splice and pruning models already in --out instead of refitting them",
    )
    parser.add_argument(
        "--link-folds",
        type=int,
        default=0,
        help="fit the later stages on link graphs decoded out of fold (K folds by page;"
        " 0: the graphs of the link model fitted on every page)",
    )
    args = parser.parse_args(argv)
    if args.link_folds and (
        args.link_folds < 2 or args.gaps_only or args.merge_only or args.roles_only
    ):
        parser.error("--link-folds takes K >= 2 and refits the stages above the links in full")
    others = args.reuse_links or args.gaps_only or args.merge_only or args.roles_only
    if args.links_only and (others or args.link_folds):
        parser.error("--links-only refits the link models and nothing else")
    for language in args.languages:
        t0 = time.perf_counter()
        labelled = labelled_pages(args, language)
        family = language_family(language)
        rng = np.random.default_rng(args.seed)
        if args.gaps_only:
            fit_gaps(labelled, family, args)
            continue
        if args.merge_only:
            splicer, prune, links, role_model, chain_model = load_stages(args.out, family)
            graphs = [scored_graph(p, splicer, prune, links) for p in labelled]
            stages = StoryStages(
                role_model,
                chain_model,
                _load_optional(args.out, "cluster", family),
                _load_optional(args.out, "order", family),
            )
            fit_merge(labelled, graphs, family, stages, args)
            continue
        if args.roles_only:
            splicer, prune, links, _, _ = load_stages(args.out, family)
            graphs = [scored_graph(p, splicer, prune, links) for p in labelled]
            fit_roles(labelled, graphs, family, args)
            continue
        if args.reuse_lower or args.links_only:
            full_gaps = Splicer(
                load_model(args.out, "gaps", family),
                _load_optional(args.out, "gaps-columns", family),
            )
            full_prune = load_model(args.out, "prune", family)
        else:
            full_gaps, full_prune = fit_lower(labelled, family, args, rng)
        parts: list[TrainingSet | None] = []
        if not args.reuse_links or args.link_folds:
            parts = page_links(labelled, full_gaps, full_prune, rng, args.negative_rate)
        if args.reuse_links:
            full_links = load_model(args.out, "links", family)
        else:
            data = stack([p for p in parts if p])
            link_models = fit_all(data, "links", family, args.seed, boosted=True, trees=LINK_TREES)
            for name, model in link_models.items():
                save(model.to_json(), args.out, name)
            full_links = link_models[model_filename("links", family)]
            print(f"{language}: link rows {len(data.labels)} ({int(data.labels.sum())} links)")
        if args.links_only:
            continue
        if args.link_folds:
            graphs = cross_fitted_graphs(
                labelled, parts, (full_gaps, full_prune), family, args.seed, args.link_folds
            )
        else:
            graphs = [scored_graph(p, full_gaps, full_prune, full_links) for p in labelled]
        role_model = fit_roles(labelled, graphs, family, args)
        paired = list(zip(labelled, graphs, strict=True))
        chain_parts = (chain_examples(p, g, role_model) for p, g in paired)
        chain_data = stack([c for c in chain_parts if c])
        chain_models = fit_all(chain_data, "chains", family, args.seed, boosted=True)
        for name, model in chain_models.items():
            save(model.to_json(), args.out, name)
        print(
            f"{language}: chain pairs {len(chain_data.labels)} "
            f"({int(chain_data.labels.sum())} joins)"
        )
        chain_model = chain_models[model_filename("chains", family)]
        cluster_model = fit_clusters(
            labelled, graphs, family, (role_model, chain_model), args.out, args.seed
        )
        order_model = None
        if family in ORDER_LANGUAGES:
            lower = (role_model, chain_model, cluster_model)
            order_model = fit_order(labelled, graphs, family, lower, args.out, args.seed)
        # The merge follows the same-story clustering in the engine, so it is fitted last.
        story_stages = StoryStages(role_model, chain_model, cluster_model, order_model)
        fit_merge(labelled, graphs, family, story_stages, args)
        print(f"{language}: {len(labelled)} pages fitted in {time.perf_counter() - t0:.1f}s")


if __name__ == "__main__":
    main()
