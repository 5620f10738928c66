"""The Hugging Face adapter on a tiny random GPT-2 built in the test: nothing is downloaded."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")
tokenizers = pytest.importorskip("tokenizers")

from newsdeinterleave.continuity import ContinuityModel  # noqa: E402
from newsdeinterleave.hf import HFContinuityModel  # noqa: E402

TEXT = "the cat sat on the mat. \u4eca\u5929\u5929\u6c14\u5f88\u597d\u3002"


def _char_tokenizer() -> Any:
    specials = ["[PAD]", "[UNK]", "[BOS]"]
    vocab = {tok: i for i, tok in enumerate([*specials, *sorted(set(TEXT))])}
    tok = tokenizers.Tokenizer(tokenizers.models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = tokenizers.pre_tokenizers.Split(tokenizers.Regex("."), behavior="isolated")
    return transformers.PreTrainedTokenizerFast(
        tokenizer_object=tok, bos_token="[BOS]", unk_token="[UNK]", pad_token="[PAD]"
    )


@pytest.fixture(scope="module")
def adapter() -> HFContinuityModel:
    tokenizer = _char_tokenizer()
    torch.manual_seed(0)
    config = transformers.GPT2Config(
        n_layer=1,
        n_head=2,
        n_embd=32,
        n_positions=128,
        vocab_size=len(tokenizer),
        bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.bos_token_id,
    )
    model = transformers.GPT2LMHeadModel(config)
    return HFContinuityModel(model, tokenizer, max_chars=16, batch_size=3)


LEFTS = ["the cat", "\u4eca\u5929", "the mat.", "", "sat on"]
RIGHTS = ["sat on", "\u5929\u6c14\u5f88\u597d", "the", "cat", ""]


def test_tokenizer_is_character_level() -> None:
    tok = _char_tokenizer()
    assert len(tok("cat", add_special_tokens=False)["input_ids"]) == 3


def test_shapes_finiteness_and_empty_fragments(adapter: HFContinuityModel) -> None:
    scores = adapter.continuity_batch(LEFTS, RIGHTS)
    assert scores.shape == (len(LEFTS),)
    assert scores.dtype == np.float64
    assert np.all(np.isfinite(scores))
    assert scores[3] == 0.0 and scores[4] == 0.0  # no left context / nothing to score
    assert np.any(scores != 0.0)


def test_deterministic_and_batch_independent(adapter: HFContinuityModel) -> None:
    a = adapter.continuity_batch(LEFTS, RIGHTS)
    b = adapter.continuity_batch(LEFTS, RIGHTS)
    np.testing.assert_array_equal(a, b)
    pairs = zip(LEFTS, RIGHTS, strict=True)
    single = np.array([adapter.continuity_batch([x], [y])[0] for x, y in pairs])
    np.testing.assert_allclose(single, a, atol=1e-4)  # padding changes nothing beyond float noise


def test_satisfies_protocol(adapter: HFContinuityModel) -> None:
    assert isinstance(adapter, ContinuityModel)
    with pytest.raises(ValueError):
        adapter.continuity_batch(["a"], [])
