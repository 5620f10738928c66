"""Training reads only train-split pages and writes models the engine can load."""

from __future__ import annotations

from pathlib import Path

from newsdeinterleave.boosting import BoostedLinkModel
from newsdeinterleave.explain import explain
from newsdeinterleave.scoring import LinkModel, model_filename, model_from_json
from newsdeinterleave.splicing import NEIGHBOUR_SUFFIXES
from newsdeinterleave.training import main, training_pages

PAGES = Path(__file__).resolve().parents[1] / "benchmarks" / "pages"


def test_training_pages_are_train_split_only() -> None:
    pages = list(training_pages(PAGES, "zh"))
    assert pages and all("zh-train" in str(p) for p in pages)
    assert not any("seed" in p.name for p in pages)


def test_a_small_fit_writes_loadable_models(tmp_path: Path) -> None:
    main(["--languages", "zh", "--max-pages", "2", "--out", str(tmp_path)])
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
    # Chinese splice models are fitted without neighbour continuity (NEIGHBOUR_LANGUAGES).
    assert not any(name.endswith(NEIGHBOUR_SUFFIXES) for name in gaps.names)


def test_gaps_only_refits_the_splice_models_and_leaves_the_later_stages(tmp_path: Path) -> None:
    links = tmp_path / model_filename("links", "zh")
    links.write_text("kept", encoding="utf-8")
    main(["--languages", "zh", "--max-pages", "2", "--out", str(tmp_path), "--gaps-only"])
    gaps = model_from_json((tmp_path / model_filename("gaps", "zh")).read_text("utf-8"))
    assert isinstance(gaps, BoostedLinkModel)
    assert (tmp_path / model_filename("gaps", "zh", frozenset({"lm"}))).exists()
    assert links.read_text("utf-8") == "kept"
    assert not (tmp_path / model_filename("prune", "zh")).exists()
    assert not (tmp_path / "roles-zh.json").exists()


def test_explain_decomposes_a_join_into_feature_contributions() -> None:
    text = "今天天气很好，我们一起\n去公园散步。\n"
    result = explain(text, 0, 1)
    assert result.left.startswith("今天") and result.right.startswith("去公园")
    if result.considered:
        total = sum(result.by_family.values())
        assert abs(total - result.log_odds) < 1e-6
        assert result.features and result.summary
