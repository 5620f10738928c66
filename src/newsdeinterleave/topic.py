"""Which fragments talk about the same thing: TF-IDF over character bigrams of their lines.

Names and terms recur within an article, so two fragments whose lines share
rare bigrams likely belong together even when they sit far apart.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

import numpy as np
import regex
from numpy.typing import NDArray
from scipy import sparse

from newsdeinterleave.segmentation import Fragment

_BUCKETS = 1 << 18
# Up to this many fragments the full similarity matrix is cheaper than per-pair products.
DENSE_LIMIT = 4000


def _bigrams(text: str) -> list[int]:
    compact = "".join(ch for ch in text if not ch.isspace()).lower()
    return [
        zlib.crc32(compact[k : k + 2].encode("utf-8", "surrogatepass")) % _BUCKETS
        for k in range(len(compact) - 1)
    ]


def context_vectors(fragments: Sequence[Fragment], radius: int = 1) -> sparse.csr_matrix:
    """L2-normalised TF-IDF rows, one per fragment, over the fragment and its line neighbours."""
    n = len(fragments)
    grams = [_bigrams(f.text) for f in fragments]
    rows: list[int] = []
    cols: list[int] = []
    for i, frag in enumerate(fragments):
        for k in range(max(0, i - radius), min(n, i + radius + 1)):
            if fragments[k].line == frag.line:
                rows.extend([i] * len(grams[k]))
                cols.extend(grams[k])
    return _tfidf(rows, cols, n)


def text_vectors(texts: Sequence[str]) -> sparse.csr_matrix:
    """L2-normalised TF-IDF rows, one per text (e.g. one per chain of fragments)."""
    rows: list[int] = []
    cols: list[int] = []
    for i, text in enumerate(texts):
        grams = _bigrams(text)
        rows.extend([i] * len(grams))
        cols.extend(grams)
    return _tfidf(rows, cols, len(texts))


# Words of Latin text, single ideographs of CJK text: a unigram view beside the bigrams.
_WORD = regex.compile(r"\p{Han}|[\p{L}\p{N}]{2,}")


def word_vectors(texts: Sequence[str]) -> sparse.csr_matrix:
    """L2-normalised TF-IDF rows over words (Latin) or characters (CJK), one per text.

    Character bigrams of English text are shared by unrelated stories (``th``,
    ``he``); whole words are not, so story-level similarity reads both.
    """
    rows: list[int] = []
    cols: list[int] = []
    for i, text in enumerate(texts):
        for word in _WORD.findall(text.lower()):
            rows.append(i)
            cols.append(zlib.crc32(word.encode("utf-8", "surrogatepass")) % _BUCKETS)
    return _tfidf(rows, cols, len(texts))


def _tfidf(rows: list[int], cols: list[int], n: int) -> sparse.csr_matrix:
    data = np.ones(len(rows))
    tf = sparse.csr_matrix((data, (rows, cols)), shape=(n, _BUCKETS))
    tf.sum_duplicates()
    df = np.bincount(tf.indices, minlength=_BUCKETS)
    idf = np.log((1 + n) / (1 + df)) + 1.0
    weighted = tf.multiply(idf[np.newaxis, :]).tocsr()
    weighted.data = np.log1p(weighted.data)
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ weighted)


def cross_similarity(vectors: sparse.csr_matrix, n_rows: int) -> NDArray[np.float64]:
    """Cosine of each of the first ``n_rows`` rows against each later row (dense)."""
    product = vectors[:n_rows] @ vectors[n_rows:].T
    return np.asarray(product.toarray(), dtype=np.float64)


def pair_similarity(
    vectors: sparse.csr_matrix, ii: NDArray[np.int64], jj: NDArray[np.int64]
) -> NDArray[np.float64]:
    if len(ii) == 0:
        return np.zeros(0)
    if vectors.shape[0] <= DENSE_LIMIT:
        gram = (vectors @ vectors.T).toarray()
        return np.asarray(gram[ii, jj], dtype=np.float64)
    prod = vectors[ii].multiply(vectors[jj])
    return np.asarray(prod.sum(axis=1), dtype=np.float64).ravel()
