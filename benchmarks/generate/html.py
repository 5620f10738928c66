"""Render a ``PageSpec`` to HTML+CSS for Chromium.

Blocks of one band share a grid row (and mostly one line height), so body
lines of neighbouring articles sit on the same baselines: the situation in
which extractors read across columns. A small script measures the laid-out
page and sets ``@page`` to its size so every page prints on one PDF page.
"""

from __future__ import annotations

from html import escape

from .model import ArticleSpec, Band, Element, PageSpec

_SCRIPT = """<script>
const el = document.getElementById('page');
const h = Math.ceil(el.getBoundingClientRect().height) + 24;
const st = document.createElement('style');
st.textContent = '@page { size: %dpx ' + h + 'px; margin: 0 }';
document.head.appendChild(st);
</script>"""


def _css(p: PageSpec) -> str:
    align = "justify" if p.justified else "left"
    return f"""
html, body {{ margin: 0; padding: 0; background: #fff; color: #111; }}
#page {{ width: {p.width}px; padding: 28px 36px; box-sizing: border-box;
  font-family: "{p.font}"; font-variant-ligatures: none; font-feature-settings: "liga" 0;
  hyphens: manual; }}
.furn {{ font-size: 12px; border-bottom: 2px solid #333; margin-bottom: 14px;
  padding-bottom: 4px; }}
.foot {{ font-size: 12px; border-top: 1px solid #333; margin-top: 14px; padding-top: 4px; }}
.band {{ display: grid; column-gap: {p.gap}px; margin-bottom: 18px; align-items: start;
  border-bottom: 1px solid #999; padding-bottom: 10px; }}
.block {{ min-width: 0; }}
.kicker {{ font-size: 14px; font-weight: bold; margin: 0 0 2px 0; }}
.title {{ font-family: "{p.title_font}"; font-weight: bold; margin: 0 0 6px 0; line-height: 1.25; }}
.subtitle {{ font-size: 16px; margin: 0 0 4px 0; }}
.byline {{ font-size: 13px; margin: 0 0 8px 0; }}
.body {{ column-gap: {max(12, p.gap - 6)}px; column-rule: 1px solid #ccc; text-align: {align}; }}
.body p {{ margin: 0; text-indent: 2em; orphans: 1; widows: 1; }}
.body h4 {{ margin: 0.5em 0; text-align: center; font-size: 1.05em; break-after: avoid; }}
.photo {{ margin: 8px 0; break-inside: avoid; }}
.photo.span {{ column-span: all; }}
.photo .img {{ background: linear-gradient(135deg, #bbb, #ddd); width: 100%; }}
.photo .cap {{ font-size: 0.85em; margin: 3px 0 0 0; text-indent: 0; text-align: left; }}
.photo .pcredit {{ font-size: 0.8em; margin: 1px 0 0 0; text-align: right; text-indent: 0; }}
.tcredit {{ text-align: right; }}
"""


def _el(e: Element, cls: str, tag: str = "p", style: str = "") -> str:
    st = f' style="{style}"' if style else ""
    return f'<{tag} class="{cls}"{st}>{escape(e.text)}</{tag}>'


def _title_size(a: ArticleSpec, block_px: int, lang: str) -> int:
    title = next(e.text for e in a.elements if e.role == "title")
    unit = 1.0 if lang == "zh" else 0.55
    fit = block_px / max(4.0, len(title) * unit)
    return int(max(18, min(40, fit * 0.95)))


def _block(a: ArticleSpec, block_px: int, fs: float, lh: float, lang: str) -> str:
    head = [e for e in a.elements if e.role in ("kicker", "title", "subtitle", "byline")]
    caption = next((e for e in a.elements if e.role == "caption"), None)
    credits = [e for e in a.elements if e.role == "credit"]
    photo_credit = credits[0] if caption is not None and credits else None
    trailing = credits[-1] if credits and (photo_credit is None or len(credits) == 2) else None
    tsize = _title_size(a, block_px, lang)
    head_html = "".join(
        _el(e, e.role, "div", f"font-size:{tsize}px" if e.role == "title" else "") for e in head
    )
    body: list[str] = []
    for e in a.elements:
        if e.role == "heading":
            body.append(_el(e, "heading", "h4"))
        elif e.role == "body":
            body.append(_el(e, "p"))
            if e.para == a.photo_after and caption is not None and photo_credit is not None:
                span = " span" if a.photo_span else ""
                body.append(
                    f'<div class="photo{span}"><div class="img" '
                    f'style="height:{a.photo_height}px"></div>'
                    f"{_el(caption, 'cap')}{_el(photo_credit, 'pcredit')}</div>"
                )
    if trailing is not None:
        body[-1:] = [body[-1], _el(trailing, "tcredit")]
    style = f"column-count:{a.columns};font-size:{fs}px;line-height:{lh}"
    inner = "".join(body)
    open_body = f'<div class="body" style="{style}">'
    if a.header_in_flow:
        return f'<div class="block">{open_body}{head_html}{inner}</div></div>'
    return f'<div class="block">{head_html}{open_body}{inner}</div></div>'


def _band(b: Band, p: PageSpec) -> str:
    cols = " ".join(f"{w}fr" for w in b.widths)
    inner = p.width - 72 - p.gap * (len(b.widths) - 1)
    blocks = "".join(
        _block(
            a,
            int(inner * b.widths[i] / sum(b.widths)),
            b.font_size[i],
            b.line_height[i],
            p.language,
        )
        for i, a in enumerate(b.articles)
    )
    return f'<div class="band" style="grid-template-columns:{cols}">{blocks}</div>'


def render_html(p: PageSpec) -> str:
    furn = p.furniture
    head = f'<div class="furn">{escape(furn[0])}</div>' if furn else ""
    foot = f'<div class="foot">{escape(furn[1])}</div>' if len(furn) > 1 else ""
    bands = "".join(_band(b, p) for b in p.bands)
    lang = "zh-CN" if p.language == "zh" else "en"
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<style>{_css(p)}</style></head><body>"
        f'<div id="page">{head}{bands}{foot}</div>{_SCRIPT % p.width}</body></html>'
    )
