"""Compose newspaper-like pages (``PageSpec``) from corpus articles.

All randomness comes from one ``random.Random`` per page, seeded from the
global seed and the page key, so a page can be rebuilt alone (resumable runs)
and the same seed always gives the same page.
"""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass

from . import names
from .model import ArticleSpec, Band, Element, PageSpec

ZH_FONTS = (
    "Noto Serif CJK SC",
    "Noto Sans CJK SC",
    "WenQuanYi Zen Hei",
    "AR PL UMing CN",
    "WenQuanYi Micro Hei",
    "AR PL UKai CN",
)
EN_FONTS = (
    "DejaVu Serif",
    "Liberation Serif",
    "Liberation Sans",
    "DejaVu Sans",
    "Liberation Sans Narrow",
    "DejaVu Serif Condensed",
)

# Full-width -> ASCII, as some real pages (and the seed page) print them.
_ASCII_PUNCT = str.maketrans(
    {"，": ",", "“": '"', "”": '"', "：": ":", "（": "(", "）": ")", "；": ";", "‘": "'", "’": "'"}
)
_ZH_CLAUSE = re.compile(r"[^，。；：！？、“”（）,.;:!?\"()]+")


@dataclass(frozen=True)
class SourceArticle:
    id: str
    title: str
    paragraphs: tuple[str, ...]


def sub_seed(seed: int, *parts: str) -> int:
    """Stable per-item seed (Python's ``hash`` is salted per process)."""
    h = hashlib.sha256("|".join((str(seed), *parts)).encode("utf-8")).digest()
    return int.from_bytes(h[:8], "big")


def _clean(s: str) -> str:
    return " ".join(s.replace("\u00ad", "").split())


def _ngrams(text: str, n: int = 8) -> set[str]:
    t = "".join(text.split())
    return {t[i : i + n] for i in range(max(0, len(t) - n + 1))}


def _size(lang: str, text: str) -> int:
    return len("".join(text.split())) if lang == "zh" else len(text.split())


def choose_articles(
    pool: Sequence[SourceArticle], start: int, n: int, lang: str, target: int
) -> tuple[list[SourceArticle], int]:
    """Take ``n`` articles from ``pool`` at ``start`` (more, up to 10, while they hold less
    than ``target`` chars/words), skipping near-duplicates of chosen ones.

    Shared 8-grams across articles of one page (formulaic lines such as
    "王毅参加会见。") would make the character labels ambiguous.
    """
    chosen: list[SourceArticle] = []
    seen: set[str] = set()
    i = start
    size = 0
    while (len(chosen) < n or (size < target * 1.15 and len(chosen) < 10)) and i < start + len(
        pool
    ):
        art = pool[i % len(pool)]
        i += 1
        grams = _ngrams(art.title + "".join(art.paragraphs), 8 if lang == "zh" else 16)
        if grams & seen:
            continue
        seen |= grams
        chosen.append(art)
        size += sum(_size(lang, p) for p in art.paragraphs)
    return chosen, i


def _clauses(text: str, lo: int, hi: int) -> list[str]:
    return [c.strip() for c in _ZH_CLAUSE.findall(text) if lo <= len(c.strip()) <= hi]


def _zh_heading(rng: random.Random, paras: Sequence[str]) -> str | None:
    """Two short clauses of the section joined by a space: reads like a heading, is not a
    verbatim substring of the body (so labels stay unambiguous)."""
    cl = [c for p in paras for c in _clauses(p, 4, 8) if " " not in c]
    if len(cl) < 2:
        return None
    a, b = rng.sample(cl, 2)
    return f"{a} {b}" if len(a) + len(b) <= 16 else a


def _en_heading(rng: random.Random, paras: Sequence[str]) -> str | None:
    words = [w.strip(",.;:\"()'") for w in paras[0].split()[1:12]]
    words = [w for w in words if w.isalpha()]
    if len(words) < 3:
        return None
    k = rng.randint(2, min(5, len(words)))
    return " ".join(w.capitalize() for w in words[:k])


def _subtitle(rng: random.Random, lang: str, paras: Sequence[str]) -> str | None:
    if lang == "zh":
        cl = _clauses(paras[-1], 8, 18)
        return None if not cl else rng.choice(("——", "·", "——记")) + rng.choice(cl)
    sentences = [
        s for p in paras[1:] for s in re.split(r"(?<=[.!?])\s+", p) if 6 <= len(s.split()) <= 16
    ]
    return None if not sentences else rng.choice(sentences).rstrip(".")


def _caption(rng: random.Random, lang: str, title: str, paras: Sequence[str]) -> str:
    if lang == "zh":
        cl = _clauses("".join(paras), 6, 14)
        core = rng.choice(cl) if cl else title[:12]
        return rng.choice(("图为", "", "▲")) + core + rng.choice(("。", ""))
    words = title.title().split()[:6]
    return rng.choice(("", "Above: ", "File photo: ")) + " ".join(words) + "."


def truncate(lang: str, art: SourceArticle, budget: int, rng: random.Random) -> list[str]:
    """Keep whole paragraphs up to ``budget`` (chars for zh, words for en), at least two."""
    out: list[str] = []
    used = 0
    for p in art.paragraphs:
        p = _clean(p)
        if not p:
            continue
        if len(out) >= 2 and used + _size(lang, p) > budget:
            break
        out.append(p)
        used += _size(lang, p)
    if len(out) > 2 and rng.random() < 0.15:
        out = out[:-1]
    return out


def build_article(
    lang: str, art: SourceArticle, budget: int, rng: random.Random, block_px: int, convert: bool
) -> ArticleSpec:
    """Elements in canonical reading order: kicker, title, subtitle, byline, body with
    headings in place, then caption, photo credit, trailing credit."""
    zh = lang == "zh"
    paras = truncate(lang, art, budget, rng)
    els: list[Element] = []
    if rng.random() < 0.25:
        els.append(Element("kicker", names.zh_kicker(rng) if zh else names.en_kicker(rng)))
    title = _clean(art.title)
    if not zh and rng.random() < 0.5:
        title = title.title()
    els.append(Element("title", title))
    if rng.random() < 0.3:
        sub = _subtitle(rng, lang, paras)
        if sub:
            els.append(Element("subtitle", sub))
    if rng.random() < 0.45:
        els.append(Element("byline", names.zh_byline(rng) if zh else names.en_byline(rng)))
    heading_at: set[int] = set()
    if len(paras) >= 4 and rng.random() < 0.35:
        heading_at = set(rng.sample(range(1, len(paras)), k=min(len(paras) - 2, rng.randint(1, 3))))
    for i, p in enumerate(paras):
        if i in heading_at:
            h = _zh_heading(rng, paras[i : i + 3]) if zh else _en_heading(rng, paras[i : i + 3])
            if h:
                els.append(Element("heading", h, i))
        els.append(Element("body", p, i))
    photo_after = -1
    if rng.random() < 0.4:
        photo_after = rng.randrange(0, len(paras))
        els.append(Element("caption", _caption(rng, lang, title, paras)))
        els.append(
            Element("credit", names.zh_photo_credit(rng) if zh else names.en_photo_credit(rng))
        )
    if rng.random() < 0.3:
        els.append(
            Element(
                "credit", names.zh_trailing_credit(rng) if zh else names.en_trailing_credit(rng)
            )
        )
    if convert:
        els = [Element(e.role, e.text.translate(_ASCII_PUNCT), e.para) for e in els]
    min_col = 150 if zh else 165
    max_cols = max(1, min(5, block_px // min_col))
    cols = rng.randint(min(2, max_cols), max_cols)
    return ArticleSpec(
        corpus_id=art.id,
        elements=tuple(els),
        columns=cols,
        photo_after=photo_after,
        photo_height=rng.randrange(90, 260, 10),
        photo_span=rng.random() < 0.6,
        header_in_flow=rng.random() < 0.2,
    )


def _budgets(total: int, weights: Sequence[float], sizes: Sequence[int], floor: int) -> list[int]:
    """Share ``total`` by weight; what short articles cannot use goes to the others."""
    budgets = [0] * len(sizes)
    open_ = set(range(len(sizes)))
    left = total
    while open_ and left > 0:
        wsum = sum(weights[i] for i in open_)
        capped = {i for i in open_ if sizes[i] <= left * weights[i] / wsum}
        if not capped:
            for i in open_:
                budgets[i] = int(left * weights[i] / wsum)
            break
        for i in capped:
            budgets[i] = sizes[i]
            left -= sizes[i]
        open_ -= capped
    return [max(floor, b) for b in budgets]


def _band_sizes(rng: random.Random, n: int) -> list[int]:
    sizes: list[int] = []
    while sum(sizes) < n:
        sizes.append(min(n - sum(sizes), rng.choice((1, 2, 2, 3, 3, 3))))
    return sizes


def page_target(seed: int, page_key: str, lang: str) -> int:
    """Page size goal: chars for zh, words for en."""
    rng = random.Random(sub_seed(seed, page_key, "target"))
    return rng.randint(3000, 10000) if lang == "zh" else rng.randint(1500, 4000)


def compose(
    page_key: str,
    lang: str,
    split: str,
    seed: int,
    articles: Sequence[SourceArticle],
    attempt: int = 0,
) -> PageSpec:
    """Lay out ``articles`` on one page; ``attempt`` varies the layout, not the articles."""
    rng = random.Random(sub_seed(seed, page_key, "layout", str(attempt)))
    zh = lang == "zh"
    total = page_target(seed, page_key, lang)
    width = rng.randrange(1100, 1750, 10)
    convert = zh and rng.random() < 0.5
    weights = [rng.uniform(0.6, 1.6) for _ in articles]
    weights[0] *= 1.5
    budgets = _budgets(
        total,
        weights,
        [sum(_size(lang, p) for p in a.paragraphs) for a in articles],
        120 if zh else 60,
    )
    gap = rng.randrange(14, 36, 2)
    bands: list[Band] = []
    k = 0
    for size in _band_sizes(rng, len(articles)):
        fr = tuple(rng.randint(2, 5) for _ in range(size))
        uniform = rng.random() < 0.8
        fs0 = rng.choice((13.0, 14.0, 15.0, 16.0)) if zh else rng.choice((12.0, 13.0, 14.0, 15.0))
        lh0 = rng.choice((1.4, 1.5, 1.6, 1.7))
        specs: list[ArticleSpec] = []
        fss: list[float] = []
        lhs: list[float] = []
        for j in range(size):
            block_px = int((width - 80) * fr[j] / sum(fr))
            specs.append(build_article(lang, articles[k], budgets[k], rng, block_px, convert))
            k += 1
            fss.append(fs0 if uniform else fs0 + rng.choice((-1.0, 0.0, 1.0)))
            lhs.append(lh0 if uniform else rng.choice((1.4, 1.5, 1.6, 1.7)))
        bands.append(Band(tuple(specs), fr, tuple(fss), tuple(lhs)))
    font = rng.choice(ZH_FONTS if zh else EN_FONTS)
    title_font = font if rng.random() < 0.5 else rng.choice(ZH_FONTS if zh else EN_FONTS)
    return PageSpec(
        page_key=page_key,
        language=lang,
        split=split,
        seed=seed,
        width=width,
        font=font,
        title_font=title_font,
        justified=rng.random() < 0.6,
        punct=("ascii" if convert else "fullwidth") if zh else "native",
        gap=gap,
        bands=tuple(bands),
        furniture=_furniture(rng, lang),
    )


def _furniture(rng: random.Random, lang: str) -> tuple[str, ...]:
    """Page header/footer lines: real pages have them and they belong to no article."""
    if rng.random() < 0.3:
        return ()
    page_no = rng.randint(1, 24)
    if lang == "zh":
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        week = rng.choice("一二三四五六日")
        section = rng.choice(("要闻", "综合", "经济", "国际", "地方", "社会"))
        head = f"2023年{month}月{day}日 星期{week} 第{page_no}版 {section}"
        foot = f"本版编辑：{names.zh_name(rng)}"
    else:
        month_name = rng.choice(("March", "April", "May", "June", "July"))
        section = rng.choice(("Business", "Markets", "World", "Companies"))
        head = f"{section} | {month_name} {rng.randint(1, 28)}, 1987 | Page {page_no}"
        foot = f"Page editor: {names.en_name(rng)}"
    return (head, foot) if rng.random() < 0.6 else (head,)
