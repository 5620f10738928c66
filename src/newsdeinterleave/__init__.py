"""Rebuild newspaper articles from text whose columns got interleaved."""

from newsdeinterleave.api import __version__, deinterleave
from newsdeinterleave.models import Article, Block, Page, Span

__all__ = ["Article", "Block", "Page", "Span", "__version__", "deinterleave"]
