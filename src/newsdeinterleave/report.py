"""Human views of a :class:`Page`: plain text, Markdown and a self-contained HTML report.

Every view is built from ``Article.blocks`` (never from the convenience
fields alone) so that headings stay where they were printed and every block
is shown exactly once. The HTML report is one file with inline CSS and no
script or external asset, so it can be mailed, archived or opened offline.
"""

from __future__ import annotations

import colorsys
import html
from collections.abc import Iterator
from dataclasses import dataclass

from newsdeinterleave.models import Article, Block, Page, Role
from newsdeinterleave.segmentation import split_lines

HEADER_ROLES: tuple[Role, ...] = ("kicker", "title", "subtitle", "byline")
FLOW_ROLES: tuple[Role, ...] = ("heading", "body", "other")
TRAILER_ROLES: tuple[Role, ...] = ("caption", "credit")
LOW_CONFIDENCE = 0.5


def reading_blocks(article: Article) -> list[Block]:
    """Blocks in the order a reader wants them.

    Header blocks (kicker, title, subtitle, byline) first, then headings and
    paragraphs in their printed order, then captions and credits. A role that
    occurs twice keeps both blocks, so nothing the engine found is hidden.
    """
    header = [b for role in HEADER_ROLES for b in article.blocks if b.role == role]
    flow = [b for b in article.blocks if b.role in FLOW_ROLES]
    trailer = [b for role in TRAILER_ROLES for b in article.blocks if b.role == role]
    return header + flow + trailer


def unassigned_texts(page: Page, source: str) -> list[str]:
    return [s.text(source) for s in page.unassigned if s.text(source).strip()]


# --------------------------------------------------------------------- text


def render_text(page: Page, source: str) -> str:
    """Plain text: one section per article, blank lines between blocks."""
    out: list[str] = []
    for article in page.articles:
        out.append(f"=== {article.id} (confidence {article.confidence:.2f}) ===")
        for block in reading_blocks(article):
            prefix = {"caption": "[caption] ", "credit": "[credit] "}.get(block.role, "")
            out.append(prefix + block.text)
            out.append("")
        out.append("")
    rest = unassigned_texts(page, source)
    if rest:
        out.append("=== unassigned ===")
        out.extend(rest)
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


# ----------------------------------------------------------------- markdown

_MD_SPECIAL = set("\\`*_[]<>#|~")


def md_escape(text: str) -> str:
    """Escape Markdown syntax so page text can never turn into markup.

    Besides inline specials, a leading ``-``/``+``/``=`` or ``1.``-style
    ordinal would start a list or heading underline, so it is escaped too.
    """
    escaped = "".join("\\" + c if c in _MD_SPECIAL else c for c in text)
    stripped = escaped.lstrip()
    lead = len(escaped) - len(stripped)
    if stripped[:1] in ("-", "+", "="):
        return escaped[:lead] + "\\" + stripped
    digits = len(stripped) - len(stripped.lstrip("0123456789"))
    if digits and stripped[digits : digits + 1] in (".", ")"):
        return escaped[:lead] + stripped[:digits] + "\\" + stripped[digits:]
    return escaped


def _md_block(block: Block) -> str:
    text = md_escape(block.text)
    return {
        "kicker": f"**{text}**",
        "title": f"## {text}",
        "subtitle": f"### {text}",
        "byline": f"*{text}*",
        "heading": f"#### {text}",
        "caption": f"> {text}",
        "credit": f"*{text}*",
    }.get(block.role, text)


def render_markdown(page: Page, source: str) -> str:
    """Markdown: one ``##`` section per article, separated by rules."""
    out: list[str] = []
    for article in page.articles:
        if out:
            out.append("---\n")
        out.append(f"<!-- {article.id} confidence {article.confidence:.2f} -->\n")
        if not any(b.role == "title" for b in article.blocks):
            out.append(f"## ({article.id})\n")
        out.extend(_md_block(b) + "\n" for b in reading_blocks(article))
    rest = unassigned_texts(page, source)
    if rest:
        if out:
            out.append("---\n")
        out.append("## Unassigned text\n")
        out.extend(f"- {md_escape(t)}" for t in rest)
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


# --------------------------------------------------------------------- html

# Twelve hues that stay distinguishable on white and under the usual
# colour-vision deficiencies well enough for a debugging view.
PALETTE = (
    "#1f77b4",
    "#d62728",
    "#2ca02c",
    "#9467bd",
    "#ff7f0e",
    "#17becf",
    "#8c564b",
    "#e377c2",
    "#bcbd22",
    "#393b79",
    "#637939",
    "#ad494a",
)
UNASSIGNED_COLOUR = "#9e9e9e"


def colour_of(index: int) -> str:
    """The palette first, then golden-angle hues, so that no two articles share a colour."""
    if index < len(PALETTE):
        return PALETTE[index]
    hue = (index * 0.618033988749895) % 1.0
    red, green, blue = colorsys.hls_to_rgb(hue, 0.38, 0.65)
    return "#{:02x}{:02x}{:02x}".format(*(round(c * 255) for c in (red, green, blue)))


@dataclass(frozen=True, slots=True)
class _Run:
    """A maximal run of input characters with one owner (article index, -1 = none)."""

    start: int
    end: int
    owner: int
    low: bool


def _owners(page: Page, n: int) -> tuple[list[int], list[bool]]:
    """Owner article of every input code point, and whether its block is low-confidence."""
    owner = [-1] * n
    low = [False] * n
    for index, article in enumerate(page.articles):
        weak_article = article.confidence < LOW_CONFIDENCE
        for span in article.spans:
            for i in range(span.start, min(span.end, n)):
                owner[i] = index
                low[i] = weak_article
        for block in article.blocks:
            if block.confidence < LOW_CONFIDENCE:
                for span in block.spans:
                    for i in range(span.start, min(span.end, n)):
                        low[i] = True
    return owner, low


def _runs(line_start: int, line_end: int, owner: list[int], low: list[bool]) -> Iterator[_Run]:
    start = line_start
    for i in range(line_start + 1, line_end + 1):
        if i == line_end or owner[i] != owner[start] or low[i] != low[start]:
            yield _Run(start, i, owner[start], low[start])
            start = i


def _lines(source: str) -> Iterator[tuple[int, int]]:
    for line in split_lines(source):
        yield line.start, line.end


def _source_pane(page: Page, source: str) -> str:
    owner, low = _owners(page, len(source))
    rows: list[str] = []
    for number, (start, end) in enumerate(_lines(source), 1):
        cells: list[str] = []
        for run in _runs(start, end, owner, low):
            text = html.escape(source[run.start : run.end])
            if run.owner < 0:
                cls = "u" if source[run.start : run.end].strip() else "ws"
                cells.append(f'<span class="{cls}">{text}</span>')
                continue
            weak = " low" if run.low else ""
            cells.append(
                f'<span class="a{run.owner}{weak}" data-article="{run.owner}">{text}</span>'
            )
        rows.append(f'<div class="line"><i>{number}</i>{"".join(cells)}</div>')
    return "\n".join(rows)


def _html_block(block: Block) -> str:
    tag = {
        "kicker": "p",
        "title": "h2",
        "subtitle": "h3",
        "byline": "p",
        "heading": "h4",
        "caption": "figcaption",
        "credit": "p",
    }.get(block.role, "p")
    weak = " low" if block.confidence < LOW_CONFIDENCE else ""
    title = f' title="block confidence {block.confidence:.2f}"' if weak else ""
    return f'<{tag} class="{block.role}{weak}"{title}>{html.escape(block.text)}</{tag}>'


def _articles_pane(page: Page, source: str) -> str:
    parts: list[str] = []
    for index, article in enumerate(page.articles):
        weak = " low" if article.confidence < LOW_CONFIDENCE else ""
        body = "\n".join(_html_block(b) for b in reading_blocks(article))
        parts.append(
            f'<article class="art a{index}{weak}" data-article="{index}" '
            f'id="{html.escape(article.id)}">\n'
            f'<header><b class="tag">{html.escape(article.id)}</b> '
            f'<span class="conf">confidence {article.confidence:.2f}</span></header>\n'
            f"{body}\n</article>"
        )
    rest = unassigned_texts(page, source)
    if rest:
        items = "".join(f"<li>{html.escape(t)}</li>" for t in rest)
        parts.append(f'<section class="unassigned"><h2>Unassigned</h2><ul>{items}</ul></section>')
    return "\n".join(parts)


def _css(count: int) -> str:
    rules = [f".a{i}{{--c:{colour_of(i)}}}" for i in range(count)]
    return "\n".join(
        [
            "*{box-sizing:border-box}",
            "body{margin:0;font:14px/1.55 system-ui,'Noto Sans CJK SC','Noto Sans',"
            "'Segoe UI',sans-serif;color:#222;background:#fafafa}",
            "h1{font-size:16px;margin:0;padding:10px 16px;background:#263238;color:#fff}",
            ".meta{font-weight:normal;opacity:.8;margin-left:12px}",
            ".legend{padding:6px 16px;background:#eceff1;font-size:12px;max-height:4.6em;"
            "overflow:auto}",
            ".legend span{display:inline-block;margin-right:10px}",
            ".legend b{display:inline-block;width:10px;height:10px;margin-right:4px;"
            "background:var(--c)}",
            ".panes{display:grid;grid-template-columns:1fr 1fr;gap:0;height:calc(100vh - 100px)}",
            ".pane{overflow:auto;padding:12px 16px}",
            ".src{border-right:1px solid #cfd8dc;background:#fff;font-family:"
            "ui-monospace,'Noto Sans Mono CJK SC',monospace;font-size:13px}",
            ".line{white-space:pre-wrap;word-break:break-all;min-height:1.4em}",
            ".line i{display:inline-block;width:3.2em;color:#b0bec5;font-style:normal;"
            "user-select:none;text-align:right;margin-right:.8em}",
            ".src span[data-article]{color:var(--c);border-bottom:2px solid var(--c);"
            "background:color-mix(in srgb,var(--c) 8%,transparent)}",
            ".src .u{color:" + UNASSIGNED_COLOUR + ";background:#eeeeee}",
            ".src .low{text-decoration:underline wavy #e53935}",
            "article{border-left:6px solid var(--c);background:#fff;margin:0 0 14px;"
            "padding:8px 14px;box-shadow:0 1px 2px rgba(0,0,0,.08)}",
            "article.low{outline:2px dashed #e53935;outline-offset:2px}",
            "article header{font-size:12px;color:#607d8b}",
            ".tag{color:#fff;background:var(--c);padding:0 6px;border-radius:3px}",
            "article .low{background:#ffebee}",
            ".kicker{font-weight:bold;color:var(--c);margin:4px 0}",
            "h2{font-size:19px;margin:4px 0}",
            "h3{font-size:15px;margin:2px 0;color:#455a64}",
            "h4{font-size:14px;margin:10px 0 2px}",
            ".byline,.credit{font-style:italic;color:#546e7a;margin:2px 0}",
            "figcaption{font-size:12px;color:#37474f;border-top:1px solid #eceff1;"
            "margin-top:6px;padding-top:4px}",
            "article p{margin:4px 0}",
            ".unassigned{color:" + UNASSIGNED_COLOUR + "}",
            ".unassigned h2{font-size:14px}",
            *rules,
        ]
    )


def render_html(page: Page, source: str, *, title: str = "newsdeinterleave report") -> str:
    """One self-contained HTML document: input coloured by article | rebuilt articles."""
    legend = "".join(
        f'<span class="a{i}"><b></b>{html.escape(a.id)}</span>' for i, a in enumerate(page.articles)
    )
    legend += f'<span style="--c:{UNASSIGNED_COLOUR}"><b></b>unassigned</span>'
    legend += '<span class="low-key">wavy underline / dashed frame = low confidence</span>'
    meta = (
        f"{len(page.articles)} articles · {page.fragment_count} fragments · "
        f"language {page.language} · {page.text_length} characters"
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="' + html.escape(_html_lang(page.language)) + '">\n<head>\n'
        '<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">\n"
        f"<title>{html.escape(title)}</title>\n"
        f"<style>\n{_css(len(page.articles))}\n</style>\n</head>\n<body>\n"
        f'<h1>{html.escape(title)}<span class="meta">{html.escape(meta)}</span></h1>\n'
        f'<div class="legend">{legend}</div>\n'
        '<main class="panes">\n'
        f'<section class="pane src" aria-label="input">\n{_source_pane(page, source)}\n</section>\n'
        f'<section class="pane out" aria-label="articles">\n{_articles_pane(page, source)}\n'
        "</section>\n</main>\n</body>\n</html>\n"
    )


def _html_lang(language: str) -> str:
    return {"zh": "zh-Hans", "en": "en"}.get(language, "und")
