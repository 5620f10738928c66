"""Data passed between the generator stages.

Every stage works on these frozen records so the pipeline stays a chain of
pure functions; only ``pipeline`` touches the file system and subprocesses.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Roles of the gold format plus ``furniture`` (page header/footer, unassigned).
ROLES = ("kicker", "title", "subtitle", "byline", "heading", "body", "caption", "credit")


@dataclass(frozen=True)
class Element:
    """One printed text element of an article, in canonical reading order."""

    role: str
    text: str
    para: int = -1  # paragraph number for body elements, -1 otherwise


@dataclass(frozen=True)
class ArticleSpec:
    """An article as printed: its elements plus the layout choices for it."""

    corpus_id: str
    elements: tuple[Element, ...]
    columns: int
    photo_after: int  # body paragraph index the photo box follows, -1 = no photo
    photo_height: int
    photo_span: bool  # photo box spans all columns (cuts them) or sits in one column
    header_in_flow: bool  # title sits in the first column instead of above the columns


@dataclass(frozen=True)
class Band:
    """A horizontal strip of the page holding 1-3 article blocks side by side."""

    articles: tuple[ArticleSpec, ...]
    widths: tuple[int, ...]  # relative widths (fr units)
    font_size: tuple[float, ...]  # body font size per block, px
    line_height: tuple[float, ...]


@dataclass(frozen=True)
class PageSpec:
    """A composed page, before rendering."""

    page_key: str  # e.g. zh-train-0001
    language: str
    split: str
    seed: int
    width: int
    font: str
    title_font: str
    justified: bool
    punct: str  # "ascii" | "fullwidth" | "native"
    gap: int
    bands: tuple[Band, ...]
    furniture: tuple[str, ...] = field(default_factory=tuple)

    @property
    def articles(self) -> tuple[ArticleSpec, ...]:
        return tuple(a for b in self.bands for a in b.articles)
