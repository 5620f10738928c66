"""Typed results of a reconstruction.

Everything a caller gets back is a pydantic model so that results can be
validated, serialised to JSON (``Page.model_dump(mode="json")``) and checked
against the input: every piece of text carries the spans it came from.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Role = Literal[
    "kicker", "title", "subtitle", "byline", "heading", "body", "caption", "credit", "other"
]
ROLES: tuple[Role, ...] = (
    "kicker",
    "title",
    "subtitle",
    "byline",
    "heading",
    "body",
    "caption",
    "credit",
    "other",
)


class Span(BaseModel):
    """Half-open code-point range ``[start, end)`` into the exact input string."""

    model_config = ConfigDict(frozen=True)

    start: int = Field(ge=0)
    end: int = Field(ge=0)

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.end < self.start:
            raise ValueError(f"span end {self.end} is before start {self.start}")
        return self

    def text(self, source: str) -> str:
        return source[self.start : self.end]


class Block(BaseModel):
    """One structural unit of an article: a title, a paragraph, a caption..."""

    model_config = ConfigDict(frozen=True)

    role: Role
    text: str
    spans: list[Span]
    confidence: float = 1.0


class Article(BaseModel):
    """An article as printed, with provenance.

    ``spans`` lists every character of the article in reading order; the
    convenience fields (``title``, ``paragraphs`` ...) are derived from
    ``blocks`` so that the two views can never disagree.
    """

    model_config = ConfigDict(frozen=True)

    id: str
    kicker: str | None = None
    title: str | None = None
    subtitle: str | None = None
    byline: str | None = None
    headings: list[str] = Field(default_factory=list)
    paragraphs: list[str] = Field(default_factory=list)
    captions: list[str] = Field(default_factory=list)
    credits: list[str] = Field(default_factory=list)
    blocks: list[Block] = Field(default_factory=list)
    spans: list[Span] = Field(default_factory=list)
    confidence: float = Field(default=0.0, ge=0.0, le=1.0)


class Page(BaseModel):
    """The reconstruction of one page of text."""

    model_config = ConfigDict(frozen=True)

    articles: list[Article] = Field(default_factory=list)
    unassigned: list[Span] = Field(default_factory=list)
    language: str = "und"
    fragment_count: int = 0
    text_length: int = 0
    warnings: list[str] = Field(default_factory=list)
    version: str = ""
