"""A battery of inputs that break text pipelines: each must give a valid, lossless Page.

Regressions found by the fuzzer (fuzz/fuzz_deinterleave.py) are added to
``HOSTILE`` with a comment naming the crash they reproduce.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from pydantic_core import PydanticSerializationError
from strategies import check_page

import newsdeinterleave.api
import newsdeinterleave.engine
import newsdeinterleave.pipeline
from newsdeinterleave import deinterleave

_EN = "The council approved the budget on Tuesday. "
_ZH = "株洲经开区传来好消息,该区今年以来已成功签约引进产业项目。"

HOSTILE: dict[str, str] = {
    "control_chars": "".join(chr(c) for c in range(32)) + "abc\x7f\x80\x9f",
    "nul_inside_words": "ab\x00cd \x00 \x00\x00 ef\x00",
    "nul_only": "\x00" * 50,
    "lone_surrogates": "ab\ud800cd \udfff \udc00\ud83d x\ud800",
    "surrogate_pair_halves_reversed": "\udc00\ud800 \ude00\ud83d",
    "bom_start": "\ufeffFirst line\nsecond line",
    "bom_everywhere": "\ufeff\ufeff a\ufeffb \ufeff\n\ufeff",
    "crlf": "One line\r\nTwo line\r\n\r\nThree\r\n",
    "cr_only": "One line\rTwo line\r\rThree\r",
    "mixed_endings": "a\nb\r\nc\rd\u2028e\u2029f\x85g\x0bh\x0ci\x1cj\x1dk\x1el",
    "line_separators_only": "\u2028\u2029" * 40,
    "one_char_per_line": "\n".join(_ZH + _EN),
    "every_line_identical": "\n".join([_ZH] * 300),
    "only_punctuation": "。,、;:!?《》“”()…—·.,;:!?()[]{}'\"-–— " * 40,
    "only_digits": "\n".join(str(i) * (i % 13 + 1) for i in range(500)),
    "mixed_scripts": (
        "株洲经开区 The council 日本語のテキスト 한국어 문장 العربية نص "
        "עברית emoji 👩‍👩‍👧‍👦 🏳️‍🌈 e\u0301\u0308 a\u20dd "
        "\u200fRTL\u200e \u202eoverride\u202c \u2066isolate\u2069 ZW\u200dJ\u200bSP"
    ),
    "combining_marks_only": "\u0301\u0302\u0303\u0308" * 100,
    "zwj_sequences": "👨\u200d👩\u200d👧 " * 50,
    "rtl_paragraphs": "\n\n".join(["مرحبا بكم في الصحيفة اليومية"] * 20),
    "very_long_word": "a" * 20_000 + " " + "株" * 20_000,
    "very_long_hyphenated": "-" * 5_000 + "\n" + "ab-\n" * 1_000,
    "tabs_only": "\t" * 1_000,
    "tabs_between_words": "\t".join(["word"] * 500),
    "ideographic_spaces": "\u3000".join(_ZH) + "\u3000",
    "nbsp_and_thin_spaces": "a\u00a0b\u2009c\u202fd\u205fe\u1680f",
    "unicode_whitespace_only": "".join(chr(c) for c in range(0x110000) if chr(c).isspace()),
    "private_use_and_noncharacters": "\ue000\uf8ff\U000f0000\U0010ffff\ufffe\uffff\ufffd",
    "astral_only": "".join(chr(c) for c in range(0x1F600, 0x1F650)),
    "single_char": "字",
    "single_space_then_char": " x",
    # fuzz crash-382ababb (engine page LM encoded text as UTF-32 and choked on a surrogate)
    "fuzz_surrogate_in_cjk_page": (
        "创新驱动发展\r\n(记者 张明 李华)\r\n下一步,该局将继续加大执 法力度,严厉打击各类违法 "
        "行为。\r\n乡村振兴见实效\r\n孩子们在宽敞明亮的阅\udec8\x00褀室里 安静地读书。\r\n"
        "何勇 摄\r\n\x89bT\x00\x98\x8bk^S[s\x00\x00NPNSNQ0\x00"
    ),
}


@pytest.mark.parametrize("text", HOSTILE.values(), ids=HOSTILE.keys())
def test_hostile_input_gives_a_valid_lossless_page(text: str) -> None:
    check_page(text, deinterleave(text))


def test_one_megabyte_single_line() -> None:
    text = (_EN * (1_000_000 // len(_EN) + 1))[:1_000_000]
    started = time.perf_counter()
    page = deinterleave(text)
    elapsed = time.perf_counter() - started
    check_page(text, page)
    print(f"1 MB single line: {elapsed:.2f} s")


@pytest.mark.slow
def test_hundred_thousand_lines() -> None:
    text = "\n".join(f"{i} {_ZH[i % 29 : i % 29 + 3]}" for i in range(100_000))
    started = time.perf_counter()
    page = deinterleave(text)
    elapsed = time.perf_counter() - started
    check_page(text, page)
    print(f"100k lines ({len(text)} chars): {elapsed:.2f} s")


@pytest.mark.parametrize(
    "value", [b"bytes", bytearray(b"bytes"), memoryview(b"bytes"), None, 42, ["a", "b"], ("a",)]
)
def test_non_str_input_raises_type_error_saying_to_decode(value: Any) -> None:
    with pytest.raises(TypeError, match="decode"):
        deinterleave(value)


class _StrSubclass(str):
    pass


def test_str_subclass_is_accepted() -> None:
    text = _StrSubclass("A headline\n\nSome body text.")
    check_page(str(text), deinterleave(text))


def test_page_above_the_size_limit_degrades_with_a_warning(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = (_ZH + "\n" + _EN + "\n") * 20
    monkeypatch.setattr(newsdeinterleave.api, "MAX_CHARS", len(text))
    at_limit = deinterleave(text)
    monkeypatch.setattr(newsdeinterleave.api, "MAX_CHARS", len(text) - 1)
    above = deinterleave(text)
    check_page(text, above)
    new_warnings = set(above.warnings) - set(at_limit.warnings)
    assert new_warnings, "a page above MAX_CHARS must say that it was processed in a cheaper mode"


@pytest.mark.xfail(
    raises=PydanticSerializationError,
    strict=True,
    reason="pydantic cannot write lone surrogates to JSON; use json.dumps(model_dump(mode='json'))",
)
def test_lone_surrogate_page_serialises_with_model_dump_json() -> None:
    # noop keeps the text in an article body, so the surrogate reaches the JSON writer
    deinterleave("ab\ud800cd", method="noop").model_dump_json()


def test_lone_surrogate_page_serialises_with_the_json_module() -> None:
    import json

    page = deinterleave("ab\ud800cd", method="noop")
    dumped = json.dumps(page.model_dump(mode="json"))
    assert "\\ud800" in dumped


def test_pages_rebuilt_in_blocks_use_fewer_candidates_and_say_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    text = (_ZH + "\n" + _EN + "\n") * 30
    monkeypatch.setattr(newsdeinterleave.pipeline, "BLOCK_CHUNKS", 40)
    page = deinterleave(text)
    check_page(text, page)
    notice = [w for w in page.warnings if "blocks" in w]
    assert notice and f"{newsdeinterleave.pipeline.LARGE_PAGE_KEEP} candidates" in notice[0]
    assert newsdeinterleave.pipeline.LARGE_PAGE_KEEP < newsdeinterleave.engine.KEEP_PER_FRAGMENT
