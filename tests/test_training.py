"""Training reads only train-split pages and writes models the engine can load."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from newsdeinterleave.boosting import BoostedLinkModel
from newsdeinterleave.column_layout import LAYOUT_FEATURES, GapGeometry
from newsdeinterleave.engine import KEEP_PER_FRAGMENT
from newsdeinterleave.explain import explain
from newsdeinterleave.features import FAMILIES
from newsdeinterleave.ordering import FEATURES as ORDER_FEATURES
from newsdeinterleave.scoring import LinkModel, model_filename, model_from_json
from newsdeinterleave.splicing import NEIGHBOUR_SUFFIXES
from newsdeinterleave.training import (
    PageGaps,
    TrainingSet,
    fit_all,
    fit_column_models,
    fold_rest,
    main,
    out_of_fold,
    training_pages,
)

PAGES = Path(__file__).resolve().parents[1] / "benchmarks" / "pages"


def _small_fit(out: Path, *flags: str) -> None:
    """Fit on two Chinese train pages, scored with the shipped LM (no fold LMs to train)."""
    main(["--languages", "zh", "--max-pages", "2", "--out", str(out), "--lm-folds", "0", *flags])


def test_training_pages_are_train_split_only() -> None:
    pages = list(training_pages(PAGES, "zh"))
    assert pages and all("zh-train" in str(p) for p in pages)
    assert not any("seed" in p.name for p in pages)


def test_a_small_fit_writes_loadable_models(tmp_path: Path) -> None:
    _small_fit(tmp_path)
    prune = LinkModel.from_json((tmp_path / model_filename("prune", "zh")).read_text("utf-8"))
    assert prune.names and len(prune.coef) == len(prune.names)
    assert "lm_bigram_diag" in prune.names
    gaps = model_from_json((tmp_path / model_filename("gaps", "zh")).read_text("utf-8"))
    assert isinstance(gaps, BoostedLinkModel) and "align_share" in gaps.names
    links = model_from_json((tmp_path / model_filename("links", "zh")).read_text("utf-8"))
    assert isinstance(links, BoostedLinkModel)
    assert "threshold" in links.meta and "stride_out" in links.names
    assert {"lm_diag_out", "first_stage_diag_out"} <= set(links.names)
    chains = model_from_json((tmp_path / model_filename("chains", "zh")).read_text("utf-8"))
    assert isinstance(chains, BoostedLinkModel) and "topic_sim" in chains.names
    assert (tmp_path / "roles-zh.json").exists()
    # The merge model learns from the pieces the clustering leaves apart; on two pages
    # it leaves none of a story, so no merge model is written rather than a crash.
    assert not (tmp_path / model_filename("merge", "zh")).exists()
    cluster = model_from_json((tmp_path / model_filename("cluster", "zh")).read_text("utf-8"))
    assert isinstance(cluster, BoostedLinkModel) and "word_sim" in cluster.names
    assert -4.0 <= float(cluster.meta["threshold"]) <= 3.0  # type: ignore[arg-type]
    order = model_from_json((tmp_path / model_filename("order", "zh")).read_text("utf-8"))
    assert isinstance(order, BoostedLinkModel) and order.names == list(ORDER_FEATURES)
    assert not (tmp_path / model_filename("order", "zh", frozenset({"lm"}))).exists()
    no_topic = model_from_json(
        (tmp_path / model_filename("cluster", "zh", frozenset({"topic"}))).read_text("utf-8")
    )
    assert not any(name.endswith("_sim") for name in no_topic.names)
    # The merge stage alone refits on the stages already saved, and leaves them as they are;
    # without the same-story model it learns from the chain matching's drafts, which do
    # leave pieces apart.
    saved_links = (tmp_path / model_filename("links", "zh")).read_text("utf-8")
    (tmp_path / model_filename("cluster", "zh")).unlink()
    _small_fit(tmp_path, "--merge-only")
    merge = model_from_json((tmp_path / model_filename("merge", "zh")).read_text("utf-8"))
    assert isinstance(merge, LinkModel) and {"adjacency", "similarity"} <= set(merge.names)
    assert (tmp_path / model_filename("links", "zh")).read_text("utf-8") == saved_links
    # The link stage alone refits on the saved splice and pruning models and leaves
    # every other stage's file untouched.
    chains_file = tmp_path / model_filename("chains", "zh")
    chains_file.write_text("kept", encoding="utf-8")
    saved_prune = (tmp_path / model_filename("prune", "zh")).read_text("utf-8")
    (tmp_path / model_filename("links", "zh", frozenset({"topic"}))).unlink()
    _small_fit(tmp_path, "--links-only")
    assert chains_file.read_text("utf-8") == "kept"
    assert (tmp_path / model_filename("prune", "zh")).read_text("utf-8") == saved_prune
    relinked = model_from_json(
        (tmp_path / model_filename("links", "zh", frozenset({"topic"}))).read_text("utf-8")
    )
    assert isinstance(relinked, BoostedLinkModel) and "topic_sim" not in relinked.names
    # Chinese splice models are fitted without neighbour continuity (NEIGHBOUR_LANGUAGES).
    assert not any(name.endswith(NEIGHBOUR_SUFFIXES) for name in gaps.names)


def test_links_only_refuses_to_combine_with_other_stage_flags() -> None:
    with pytest.raises(SystemExit):
        main(["--languages", "zh", "--links-only", "--reuse-links"])


def test_gaps_only_refits_the_splice_models_and_leaves_the_later_stages(tmp_path: Path) -> None:
    links = tmp_path / model_filename("links", "zh")
    links.write_text("kept", encoding="utf-8")
    _small_fit(tmp_path, "--gaps-only")
    gaps = model_from_json((tmp_path / model_filename("gaps", "zh")).read_text("utf-8"))
    assert isinstance(gaps, BoostedLinkModel)
    assert (tmp_path / model_filename("gaps", "zh", frozenset({"lm"}))).exists()
    assert links.read_text("utf-8") == "kept"
    # Chinese keeps the first splice pass alone (column_layout.COLUMN_LANGUAGES).
    assert not (tmp_path / model_filename("gaps-columns", "zh")).exists()
    assert not (tmp_path / model_filename("prune", "zh")).exists()
    assert not (tmp_path / "roles-zh.json").exists()


def _synthetic_gaps(seed: int) -> PageGaps:
    """A page of two-column OCR rows: the seam gap sits at offset 11, word gaps elsewhere."""
    rng = np.random.default_rng(seed)
    lines = np.repeat(np.arange(30), 3)
    x = np.tile([5.0, 11.0, 16.0], 30) + rng.integers(-1, 2, size=90)
    seam = np.tile([0, 1, 0], 30)
    x[seam == 1] = 11.0
    noisy = seam + rng.normal(0, 0.8, size=90)
    families = ["length", "lm", "topic"]
    matrix = np.column_stack([noisy, rng.normal(size=90), rng.normal(size=90)])
    known = np.ones(90, dtype=bool)
    known[:3] = False
    return PageGaps(
        names=["a", "b", "c"],
        families=families,
        matrix=matrix,
        labels=seam.astype(np.int64),
        known=known,
        geometry=GapGeometry(line=lines, x=x, line_width=np.full(30, 25.0)),
    )


def test_the_column_pass_is_fitted_out_of_fold_for_each_setting_but_no_length() -> None:
    pages = [_synthetic_gaps(seed) for seed in range(4)]
    first_pass = out_of_fold(pages, fold_rest(pages), [0, 1, 2], seed=0)
    assert [len(p) for p in first_pass] == [90] * 4
    assert all(((p >= 0) & (p <= 1)).all() for p in first_pass)
    models = fit_column_models(pages, "en", seed=0)
    kept = ([], ["punctuation"], ["lm"], ["page_lm"], ["topic"])  # every setting but -length
    assert set(models) == {model_filename("gaps-columns", "en", frozenset(d)) for d in kept}
    full = models[model_filename("gaps-columns", "en")]
    assert full.names == ["a", "b", "c", *LAYOUT_FEATURES]
    assert full.meta["folds"] == 2 and full.meta["rows"] == 4 * 87
    no_lm = models[model_filename("gaps-columns", "en", frozenset({"lm"}))]
    assert "b" not in no_lm.names
    assert fit_column_models(pages, "zh", seed=0) == {}


def test_explain_decomposes_a_join_into_feature_contributions() -> None:
    text = "今天天气很好，我们一起\n去公园散步。\n"
    result = explain(text, 0, 1)
    assert result.left.startswith("今天") and result.right.startswith("去公园")
    if result.considered:
        total = sum(result.by_family.values())
        assert abs(total - result.log_odds) < 1e-6
        assert result.features and result.summary


def test_cross_fitted_language_models_never_read_their_pages_articles(tmp_path: Path) -> None:
    import json

    from newsdeinterleave.language_model import bits_per_char
    from newsdeinterleave.splits import split_of
    from newsdeinterleave.training import (
        fold_exclusions,
        fold_language_models,
        fold_word_models,
        page_fold,
    )

    ids = [f"art-{k}" for k in range(400) if split_of(f"art-{k}") == "train"][:6]
    words = ["grain", "steel", "coffee", "copper", "sugar", "cotton"]
    with (tmp_path / "en-dev.jsonl").open("w", encoding="utf-8") as fh:
        for aid, word in zip(ids, words, strict=True):
            paragraphs = [f"The {word} market rose as {word} traders bought {word}."] * 3
            fh.write(
                json.dumps({"id": aid, "title": word.upper(), "paragraphs": paragraphs}) + "\n"
            )
    pages = [tmp_path / f"p{k}.json" for k in range(4)]
    article_ids = {
        pages[0]: (ids[0], ids[1]),
        pages[1]: (ids[0], ids[1]),  # the same layout read by another extractor
        pages[2]: (ids[2], ids[3]),
        pages[3]: (ids[4], ids[5]),
    }
    folds = page_fold(pages, article_ids, 2)
    assert folds[pages[0]] == folds[pages[1]] == folds[pages[3]] != folds[pages[2]]
    excluded = fold_exclusions(pages, article_ids, 2)
    assert excluded[folds[pages[2]]] == {ids[2], ids[3]}
    lms = fold_language_models(pages, article_ids, tmp_path, "en", 2)
    own = ["The copper market rose as copper traders bought copper."]
    assert bits_per_char(lms[pages[2]], own) > bits_per_char(lms[pages[0]], own) + 1
    word_models = fold_word_models(pages, article_ids, tmp_path, "en", 2)
    halves = ["The copper market rose as", "copper traders bought copper."]
    seen, unseen = (
        float(word_models[p].continuity_pairs(halves, np.array([0]), np.array([1]))[0])
        for p in (pages[0], pages[2])
    )
    assert seen > unseen + 1
    with pytest.raises(ValueError, match="article_ids"):
        page_fold([tmp_path / "unknown.json"], article_ids, 2)


@pytest.mark.parametrize("language", ["zh", "en"])
def test_the_merge_model_is_fitted_on_the_stories_the_engine_hands_it(
    language: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from newsdeinterleave import pipeline, training

    data = Path(training.__file__).parent / "data"
    splicer, prune, links, roles, chains = training.load_stages(data, language)
    cluster = training.load_model(data, "cluster", language)
    order = training._load_optional(data, "order", language)
    page = training.labelled_page(next(iter(training_pages(PAGES, language))))
    seen: dict[str, list[list[int]]] = {}

    def spy(where: str, real: object) -> object:
        def record(articles: list[list[int]], *rest: object) -> object:
            seen[where] = [list(a) for a in articles]
            return real(articles, *rest)  # type: ignore[operator]

        return record

    monkeypatch.setattr(training, "merge_candidates", spy("training", training.merge_candidates))
    monkeypatch.setattr(pipeline, "merge_candidates", spy("engine", pipeline.merge_candidates))
    graph = training.scored_graph(page, splicer, prune, links)
    stages = training.StoryStages(roles, chains, cluster, order)
    assert training.merge_examples(page, graph, stages) is not None
    # Training graphs keep the training setting's candidates (scored_graph says why).
    pipeline.reconstruct_block(page.text, page.chunks, page.language, keep=KEEP_PER_FRAGMENT)
    assert len(seen["engine"]) > 1
    assert seen["training"] == seen["engine"]


def test_fit_all_gives_boosted_models_the_rounds_asked_for_and_one_per_ablation() -> None:
    rng = np.random.default_rng(0)
    families = ["order", *FAMILIES]
    matrix = rng.normal(size=(400, len(families)))
    labels = (matrix[:, 0] + matrix[:, 3] > 0).astype(np.int64)
    data = TrainingSet([f"x_{f}" for f in families], families, matrix, labels, np.ones(400))
    models = fit_all(data, "links", "en", 0, boosted=True, trees=7)
    assert len(models) == 1 + len(FAMILIES)
    for model in models.values():
        assert isinstance(model, BoostedLinkModel)
        assert len(model.roots) == 7
    without_lm = models[model_filename("links", "en", frozenset({"lm"}))]
    assert "x_lm" not in without_lm.names and len(without_lm.names) == len(families) - 1


def test_later_stages_read_link_graphs_decoded_by_a_model_that_never_saw_the_page(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from newsdeinterleave import training

    rng = np.random.default_rng(0)
    families = ["order", *FAMILIES]

    def rows(count: int) -> TrainingSet:
        matrix = rng.normal(size=(count, len(families)))
        labels = (matrix[:, 0] > 0).astype(np.int64)
        return TrainingSet([f"x_{f}" for f in families], families, matrix, labels, np.ones(count))

    parts: list[TrainingSet | None] = [rows(40 + 10 * k) for k in range(5)]
    parts[3] = None  # a page of one fragment gives no rows but still gets its graph
    fitted_on: dict[object, int] = {}

    def decoded(page: object, splicer: object, prune: object, model: BoostedLinkModel) -> object:
        fitted_on[page] = int(model.meta["rows"])  # type: ignore[call-overload]
        return ("graph", page)

    monkeypatch.setattr(training, "scored_graph", decoded)
    monkeypatch.setattr(training, "LINK_TREES", 5)
    pages = ["p0", "p1", "p2", "p3", "p4"]
    graphs = training.cross_fitted_graphs(pages, parts, (None, None), "en", 0, folds=2)  # type: ignore[arg-type]
    assert graphs == [("graph", p) for p in pages]
    sizes = [0 if p is None else len(p.labels) for p in parts]
    for k, page in enumerate(pages):
        assert fitted_on[page] == sum(s for m, s in enumerate(sizes) if m % 2 != k % 2)
    with pytest.raises(ValueError, match="link folds"):
        training.cross_fitted_graphs(pages, parts, (None, None), "en", 0, folds=1)  # type: ignore[arg-type]
    with pytest.raises(SystemExit):
        main(["--languages", "en", "--link-folds", "2", "--merge-only"])
