"""Deterministic train/dev/test split of corpus articles.

The split depends only on the article id (a stable hash), so the language
model, the link model and the benchmark generator all agree on which
articles each may use, and test articles never leak into training.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any, Literal

Split = Literal["train", "dev", "test"]


def split_of(article_id: str) -> Split:
    """70% train, 15% dev, 15% test by a hash of the id."""
    bucket = int.from_bytes(hashlib.sha256(article_id.encode("utf-8")).digest()[:4], "big") % 100
    if bucket < 70:
        return "train"
    if bucket < 85:
        return "dev"
    return "test"


def page_set(row: Mapping[str, Any]) -> str:
    """The page set a benchmark manifest row belongs to: its split, or its labelled set.

    A labelled set (manifest ``set``, never a split's name: a held-out set over
    dev or test articles, or an extra training batch over train articles) is
    built from one split's articles, so its ``split`` says which articles it
    may use; but its pages are read only under the set's own name, never as
    that split's pages.
    """
    return str(row.get("set") or row["split"])
