"""Human views of a page: text, Markdown and the HTML report (rendered in headless Chromium).

The pages here are assembled by hand with ``build_page`` so that every role,
several articles, unassigned text and low confidence all occur, whatever the
engine currently finds.
"""

from __future__ import annotations

import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from benchmarks.generate.render import CHROMIUM_FLAGS
from newsdeinterleave.assembly import ArticlePlan, Piece, build_page
from newsdeinterleave.models import Page
from newsdeinterleave.report import (
    colour_of,
    md_escape,
    render_html,
    render_markdown,
    render_text,
)

# Two articles whose columns alternate line by line, a page header and an
# adversarial line of markup characters.
LINES = [
    "DAILY NEWS <b>&amp;</b> 1",
    "CITY:        Storm <script>alert(1)</script> hits",
    "Council backs budget    Schools close early",
    "By A. Reporter          as rivers rise.",
    "The council approved    Photo: flooded road",
    "# the plan *today*.     Credit: J. Doe",
    "Next steps",
    "1. Vote again in May.",
]
TEXT = "\n".join(LINES) + "\n"


def find(fragment: str) -> tuple[int, int]:
    start = TEXT.index(fragment)
    return start, start + len(fragment)


def piece(fragment: str, role: str, *, para: bool = False, confidence: float = 1.0) -> Piece:
    start, end = find(fragment)
    return Piece(start, end, role, para=para, confidence=confidence)  # type: ignore[arg-type]


def make_page() -> Page:
    first = ArticlePlan(
        pieces=[
            piece("Council backs budget", "title"),
            piece("By A. Reporter", "byline"),
            piece("The council approved", "body", para=True),
            piece("# the plan *today*.", "body", confidence=0.2),
            piece("Next steps", "heading"),
            piece("1. Vote again in May.", "body", para=True),
        ],
        confidence=0.9,
    )
    second = ArticlePlan(
        pieces=[
            piece("CITY:", "kicker"),
            piece("Storm <script>alert(1)</script> hits", "title"),
            piece("Schools close early", "body", para=True),
            piece("as rivers rise.", "body"),
            piece("Photo: flooded road", "caption"),
            piece("Credit: J. Doe", "credit"),
        ],
        confidence=0.3,
    )
    return build_page(
        TEXT,
        [first, second],
        [find("DAILY NEWS <b>&amp;</b> 1")],
        language="en",
        fragment_count=0,
        warnings=[],
        version="test",
    )


def block_order(rendered: str, page: Page) -> list[int]:
    return [rendered.index(b.text) for a in page.articles for b in a.blocks]


def test_text_shows_blocks_in_reading_order() -> None:
    page = make_page()
    text = render_text(page, TEXT)
    second, first = page.articles  # the kicker line comes first in the page
    assert first.title == "Council backs budget"
    positions = [
        text.index(s)
        for s in [
            "Council backs budget",
            "By A. Reporter",
            "The council approved",
            "Next steps",
            "1. Vote again in May.",
        ]
    ]
    assert positions == sorted(positions)
    positions = [
        text.index(s)
        for s in [
            "CITY:",
            "Storm <script>",
            "Schools close early as rivers rise.",
            "[caption] Photo: flooded road",
            "[credit] Credit: J. Doe",
        ]
    ]
    assert positions == sorted(positions)
    assert text.rstrip().endswith("DAILY NEWS <b>&amp;</b> 1")  # unassigned text last
    assert second.kicker == "CITY:"


def test_markdown_escapes_page_text() -> None:
    page = make_page()
    md = render_markdown(page, TEXT)
    assert "\\# the plan \\*today\\*." in md  # would otherwise become a heading/emphasis
    assert "1\\. Vote again in May." in md  # would otherwise become a list
    assert "\\<script\\>" in md and "<script>" not in md
    assert "## Council backs budget" in md and "#### Next steps" in md
    assert md.index("## Unassigned text") > md.index("Credit: J. Doe")


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [("- item", "\\- item"), ("12) x", "12\\) x"), ("a_b|c", "a\\_b\\|c"), ("plain", "plain")],
)
def test_md_escape(raw: str, escaped: str) -> None:
    assert md_escape(raw) == escaped


def test_html_is_self_contained_and_escaped() -> None:
    page = make_page()
    doc = render_html(page, TEXT, title="t <x>")
    assert doc.count("<script") == 0 and "&lt;script&gt;" in doc
    assert "&lt;b&gt;&amp;amp;&lt;/b&gt;" in doc
    for external in ("http://", "https://", "src=", "<link", "@import", "url("):
        assert external not in doc
    assert "<title>t &lt;x&gt;</title>" in doc


def test_html_colours_and_low_confidence_marks() -> None:
    page = make_page()
    doc = render_html(page, TEXT)
    for index in range(len(page.articles)):
        assert f".a{index}{{--c:{colour_of(index)}}}" in doc
        assert doc.count(f'class="a{index}') >= 2  # source runs and legend
        assert f'class="art a{index}' in doc
    assert 'class="art a0 low"' in doc  # the 0.3 article (first in the page)
    assert 'class="art a1"' in doc  # the 0.9 article
    assert 'class="body low"' in doc  # the 0.2 block
    assert len({colour_of(i) for i in range(300)}) == 300  # no two articles look alike


class DomSummary(HTMLParser):
    """Article elements on the right and coloured runs on the left of a dumped DOM."""

    def __init__(self) -> None:
        super().__init__()
        self.pane = ""
        self.articles: list[str] = []
        self.source_articles: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        classes = (attributes.get("class") or "").split()
        if tag == "section" and "pane" in classes:
            self.pane = "src" if "src" in classes else "out"
        owner = attributes.get("data-article")
        if owner is None:
            return
        if tag == "article" and self.pane == "out":
            self.articles.append(owner)
        elif tag == "span" and self.pane == "src":
            self.source_articles.add(owner)


def chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("chromium not installed (Debian: apt-get install chromium); HTML render not tested")


def run_chromium(binary: str, tmp: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    flags = [*CHROMIUM_FLAGS, f"--user-data-dir={tmp / 'profile'}"]
    return subprocess.run([binary, *flags, *args], capture_output=True, timeout=90, check=False)


def test_report_renders_in_headless_chromium(tmp_path: Path) -> None:
    binary = chromium()
    page = make_page()
    report = tmp_path / "report.html"
    report.write_text(render_html(page, TEXT), encoding="utf-8")
    url = report.as_uri()

    dom = run_chromium(binary, tmp_path, "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    summary = DomSummary()
    summary.feed(dom.stdout.decode("utf-8"))
    assert len(summary.articles) == len(page.articles)
    assert (
        set(summary.articles)
        == summary.source_articles
        == {str(i) for i in range(len(page.articles))}
    )

    shot = tmp_path / "shot.png"
    run_chromium(binary, tmp_path, f"--screenshot={shot}", "--window-size=1400,1000", url)
    assert shot.exists() and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    image_module = pytest.importorskip("PIL.Image")
    with image_module.open(shot) as image:
        rgb = image.convert("RGB")
        width, height = rgb.size
        halves = [
            {colour for _, colour in rgb.crop(box).getcolors(width * height) or []}
            for box in ((0, 0, width // 2, height), (width // 2, 0, width, height))
        ]
    for index in range(len(page.articles)):
        hex_colour = colour_of(index).lstrip("#")
        colour = tuple(int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))
        assert all(colour in half for half in halves), f"article {index} colour not in both panes"


def test_empty_page_renders_in_every_format() -> None:
    page = build_page("", [], [], language="und", fragment_count=0, warnings=[], version="t")
    assert render_text(page, "") == "\n"
    assert render_markdown(page, "") == "\n"
    doc = render_html(page, "")
    assert "<article" not in doc and doc.rstrip().endswith("</html>")


def test_cli_report_of_an_engine_result_in_chromium(tmp_path: Path) -> None:
    from newsdeinterleave import deinterleave
    from newsdeinterleave.cli import main

    binary = chromium()
    page_file = tmp_path / "page.txt"
    page_file.write_text(TEXT, encoding="utf-8")
    report = tmp_path / "report.html"
    assert main(["report", str(page_file), "-o", str(report)]) == 0
    dom = run_chromium(binary, tmp_path, "--dump-dom", report.as_uri())
    summary = DomSummary()
    summary.feed(dom.stdout.decode("utf-8"))
    page = deinterleave(TEXT)
    assert len(summary.articles) == len(page.articles)
    assert set(summary.articles) == summary.source_articles
