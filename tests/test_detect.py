"""detect(): a cheap score that ranks interleaved pages above clean ones."""

from __future__ import annotations

import json
import textwrap
from importlib import resources

import pytest

from newsdeinterleave.detect import FEATURES, detect, features, load_model

EN = [
    "The city council approved a new budget on Tuesday after a debate that lasted "
    "well into the night, ending months of uncertainty for schools and hospitals.",
    "Officials said the plan raises spending on public transport by a fifth while "
    "holding property taxes flat for the second year in a row.",
    "Opposition members argued that the savings promised in the document depend on "
    "optimistic forecasts for tourism, which fell sharply during the winter.",
    "Farmers in the northern valley expect a record harvest this autumn after a wet "
    "spring, although storage remains a problem for smaller cooperatives.",
    "The regional agency said it would open two new grain depots before September "
    "and offer low-interest loans to growers who build their own.",
    "Prices for wheat on the local exchange slipped for a third week as traders "
    "priced in the larger crop and steady demand from mills.",
]
ZH = [
    "市政府周二召开常务会议，审议通过了新一年度财政预算方案，明确加大对学校和医院的投入力度。",
    "会议指出，要统筹推进城市更新和老旧小区改造，切实解决群众关心的停车难、加装电梯等问题。",
    "北部山区今年春季雨水充沛，各地农户普遍预计秋粮产量将创历史新高，储存设施仍需加快建设。",
    "农业部门表示，将在九月前新建两座粮食仓库，并为自建仓储的种植户提供低息贷款支持。",
    "本地交易市场小麦价格连续三周小幅回落，贸易商认为丰收预期和面粉厂稳定需求已被充分消化。",
    "专家建议，应进一步完善农产品价格监测体系，引导农户合理安排销售节奏，稳定市场预期。",
]


def wrap(text: str, width: int, lang: str) -> list[str]:
    if lang == "zh":
        return [text[i : i + width] for i in range(0, len(text), width)]
    return textwrap.wrap(text, width)


def clean(paragraphs: list[str], width: int | None, lang: str) -> str:
    if width is None:
        return "\n".join(paragraphs) + "\n"
    return "\n".join(line for p in paragraphs for line in wrap(p, width, lang)) + "\n"


def interleaved(paragraphs: list[str], width: int, lang: str) -> str:
    """Two columns read straight across, as a naive extractor does."""
    lines = [line for p in paragraphs for line in wrap(p, width, lang)]
    half = (len(lines) + 1) // 2
    left, right = lines[:half], lines[half:]
    rows = [
        f"{a} {b}" if i < len(right) else a
        for i, (a, b) in enumerate(zip(left, right + [""] * (len(left) - len(right)), strict=True))
    ]
    return "\n".join(r.rstrip() for r in rows) + "\n"


@pytest.mark.parametrize(("lang", "width"), [("zh", 12), ("zh", 18), ("en", 30), ("en", 40)])
def test_interleaved_scores_above_clean(lang: str, width: int) -> None:
    paragraphs = ZH if lang == "zh" else EN
    broken = detect(interleaved(paragraphs, width, lang))
    assert broken > detect(clean(paragraphs, width, lang))
    assert broken > detect(clean(paragraphs, None, lang))


@pytest.mark.parametrize(
    "text", ["", "one line", "\n\n\n", "a\nb", "\ufeff标题\r\n正文。\r\n", "x" * 10_000]
)
def test_score_is_a_probability_for_any_text(text: str) -> None:
    score = detect(text)
    assert 0.0 <= score <= 1.0
    assert detect(text) == score  # deterministic


def test_features_are_bounded_and_named() -> None:
    values = features(interleaved(EN, 30, "en"))
    assert tuple(values) == FEATURES
    assert all(0.0 <= v <= 1.0 for v in values.values())


def test_shipped_model_matches_the_features() -> None:
    raw = json.loads(resources.files("newsdeinterleave").joinpath("data/detect.json").read_text())
    assert tuple(raw["features"]) == FEATURES
    model = load_model()
    assert len(model.weights) == len(model.mean) == len(model.scale) == len(FEATURES)


def test_rejects_bytes() -> None:
    with pytest.raises(TypeError, match="str"):
        detect(b"page")  # type: ignore[arg-type]


def test_handles_a_long_page() -> None:
    page = interleaved(ZH * 400, 16, "zh")  # about 40k characters, 2.5k lines
    assert 0.0 <= detect(page) <= 1.0  # its speed is measured by benchmarks/eval_detect.py
