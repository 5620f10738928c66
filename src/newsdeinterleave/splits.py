"""Deterministic train/dev/test split of corpus articles.

The split depends only on the article id (a stable hash), so the language
model, the link model and the benchmark generator all agree on which
articles each may use, and test articles never leak into training.
"""

from __future__ import annotations

import hashlib
from typing import Literal

Split = Literal["train", "dev", "test"]


def split_of(article_id: str) -> Split:
    """70% train, 15% dev, 15% test by a hash of the id."""
    bucket = int.from_bytes(hashlib.sha256(article_id.encode("utf-8")).digest()[:4], "big") % 100
    if bucket < 70:
        return "train"
    if bucket < 85:
        return "dev"
    return "test"
