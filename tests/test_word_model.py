"""The word trigram model: a proper distribution, continuity that reads words, lossless I/O."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from newsdeinterleave.engine import page_models
from newsdeinterleave.features import fragment_table, pair_features
from newsdeinterleave.segmentation import group_fragments, split_chunks
from newsdeinterleave.word_model import (
    WordModel,
    load_word_model,
    train_word_model,
    word_keys,
)

TEXTS = [
    "The central bank raised interest rates on Monday.",
    "The central bank said interest rates would stay high.",
    "Coffee prices fell as traders sold coffee futures.",
    "Traders said the central bank surprised the market.",
]


@pytest.fixture(scope="module")
def model() -> WordModel:
    return train_word_model(TEXTS)


@pytest.mark.parametrize("context", [[], ["central"], ["the", "central"], ["no", "such"]])
def test_the_next_word_distribution_sums_to_one(model: WordModel, context: list[str]) -> None:
    vocab = sorted({w for t in TEXTS for w in t.lower().split()})
    mass = sum(np.exp(model.logprob(context, [w])) for w in vocab)
    mass += np.exp(model.logprob(context, ["unseen-word"]))
    assert mass == pytest.approx(1.0, abs=1e-9)


def test_a_join_that_reads_on_scores_above_one_that_does_not(model: WordModel) -> None:
    texts = ["the central bank raised", "interest rates on Monday.", "coffee futures fell", "—"]
    left = np.array([0, 0, 0, 3, 0])
    right = np.array([1, 2, 3, 1, 0])
    score = model.continuity_pairs(texts, left, right)
    assert score[0] > 1.0 and score[0] > score[1]
    # A fragment without words after normalisation gives no evidence either way.
    empty = model.continuity_pairs(["", "interest rates"], np.array([0]), np.array([1]))
    assert empty.tolist() == [0.0]
    # Case does not matter: words are lowercased.
    upper = model.continuity_pairs(
        ["THE CENTRAL BANK RAISED", "Interest rates"], left[:1], left[:1] + 1
    )
    assert upper[0] == pytest.approx(score[0])


def test_saved_models_load_to_the_same_scores(model: WordModel, tmp_path: Path) -> None:
    path = tmp_path / "words.npz"
    model.save(path)
    loaded = WordModel.load(path)
    texts = ["traders said the", "central bank surprised", "coffee prices"]
    left, right = np.array([0, 0, 1]), np.array([1, 2, 2])
    np.testing.assert_array_equal(
        loaded.continuity_pairs(texts, left, right), model.continuity_pairs(texts, left, right)
    )
    # Keys do not depend on the process (no salted hash()).
    assert int(word_keys(["the"])[0]) == int(word_keys(["the"])[0]) != int(word_keys(["The"])[0])


def test_english_pages_get_word_columns_in_the_lm_family_only() -> None:
    assert load_word_model("zh") is None
    assert load_word_model("en") is not None
    text = "The central bank raised\ninterest rates on Monday.\n"
    fragments = group_fragments(text, split_chunks(text), breaks=set())
    table = fragment_table(fragments)
    ii, jj = np.array([0, 1]), np.array([1, 0])
    models = page_models(table.texts, "en", ())
    full = pair_features(table, ii, jj, general=None, page=None, topic=None, word=models.word)
    assert "lm_word" in full.names and full.families[full.names.index("lm_word")] == "lm"
    no_lm = page_models(table.texts, "en", ("lm",))
    assert no_lm.word is None and page_models(table.texts, "zh", ()).word is None
    cheap = pair_features(
        table, ii, jj, general=None, page=None, topic=None, word=models.word, rich=False
    )
    assert "lm_word" not in cheap.names


def test_the_train_command_writes_the_model_the_engine_loads(tmp_path: Path) -> None:
    import json

    from newsdeinterleave.splits import split_of
    from newsdeinterleave.word_model import main

    ids = [f"art-{k}" for k in range(200) if split_of(f"art-{k}") == "train"][:4]
    with (tmp_path / "en-dev.jsonl").open("w", encoding="utf-8") as fh:
        for aid, text in zip(ids, TEXTS, strict=True):
            fh.write(json.dumps({"id": aid, "title": "T", "paragraphs": [text]}) + "\n")
    main(["train", "--corpus", str(tmp_path), "--out", str(tmp_path)])
    loaded = WordModel.load(tmp_path / "words-en.npz")
    texts = ["the central bank raised", "interest rates on Monday."]
    direct = train_word_model([t for text in TEXTS for t in ("T", text)]).continuity_pairs(
        texts, np.array([0]), np.array([1])
    )
    assert loaded.continuity_pairs(texts, np.array([0]), np.array([1]))[0] == direct[0]


def test_fitted_accuracy_weighs_a_useful_score_and_ignores_a_useless_one() -> None:
    from newsdeinterleave.word_model import _fitted_accuracy

    rng = np.random.default_rng(0)
    noise_true, noise_false = rng.normal(size=200), rng.normal(size=200)
    # The second score always ranks the true pair first; the first is noise.
    useful_true, useful_false = rng.normal(size=200) + 5.0, rng.normal(size=200)
    assert _fitted_accuracy([noise_true], [noise_false]) < 0.7
    assert _fitted_accuracy([noise_true, useful_true], [noise_false, useful_false]) > 0.95
