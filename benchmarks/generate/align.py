"""Map every non-whitespace character of extracted text back to its source.

Both sides are compared as NFKC "keys" (ligatures, full-width forms and
compatibility ideographs that extractors emit then compare equal to the
printed characters).

* PDF extractors reproduce the printed characters exactly, only reordered, so
  ``exact_align`` runs greedy string tiling: longest common runs first, within
  one text line, each source character used at most once; short leftovers
  (one-char column tails) fill the holes they fit.
* OCR text has recognition errors, so ``fuzzy_align`` chains exact seeds per
  line with a DP that tolerates small gaps (substitutions, drops, inserts) on
  one diagonal; noise it cannot place goes to ``unassigned`` with a note.
"""

from __future__ import annotations

import heapq
import unicodedata
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

SENTINEL = "\x00"
NOISE = set("|｜丨_~`'\"—-=!/\\[]{}‘’“”·.,:;。，、")


@dataclass(frozen=True)
class Source:
    """All source streams of a page flattened into one key string."""

    keys: str
    owner: tuple[int, ...]  # key index -> global source-char index (-1 for sentinels)
    char_art: tuple[int, ...]  # source char -> article index
    char_pos: tuple[int, ...]  # source char -> position in its article stream
    char_elem: tuple[int, ...]  # source char -> element index in its article
    char_text: str  # source char itself
    elem_start: frozenset[int]  # key indices that start an element
    elem_end: frozenset[int]  # key indices that end an element


@dataclass(frozen=True)
class CharLabel:
    """Label of one non-whitespace text character."""

    src: int  # global source-char index, -1 = unassigned
    seg: int  # alignment segment id (chars of one segment were read as one run)
    note: str = ""


def nfkc_key(ch: str) -> str:
    k = "".join(unicodedata.normalize("NFKC", ch).split())
    return k or ch


def build_source(articles: Sequence[Sequence[str]]) -> Source:
    """``articles``: per article, its element texts in canonical reading order."""
    keys: list[str] = []
    owner: list[int] = []
    char_art: list[int] = []
    char_pos: list[int] = []
    char_elem: list[int] = []
    char_text: list[str] = []
    starts: set[int] = set()
    ends: set[int] = set()
    for a, elems in enumerate(articles):
        pos = 0
        for e, text in enumerate(elems):
            first = True
            for ch in text:
                if ch.isspace():
                    continue
                gid = len(char_art)
                char_art.append(a)
                char_pos.append(pos)
                char_elem.append(e)
                char_text.append(ch)
                pos += 1
                for kc in nfkc_key(ch):
                    if first:
                        starts.add(len(keys))
                        first = False
                    keys.append(kc)
                    owner.append(gid)
            if not first:
                ends.add(len(keys) - 1)
        keys.append(SENTINEL)
        owner.append(-1)
    return Source(
        "".join(keys),
        tuple(owner),
        tuple(char_art),
        tuple(char_pos),
        tuple(char_elem),
        "".join(char_text),
        frozenset(starts),
        frozenset(ends),
    )


@dataclass(frozen=True)
class TextKeys:
    keys: str
    owner: tuple[int, ...]  # key index -> text char index
    line: tuple[int, ...]  # key index -> line number


def text_keys(text: str) -> TextKeys:
    keys: list[str] = []
    owner: list[int] = []
    line: list[int] = []
    ln = 0
    for i, ch in enumerate(text):
        if ch == "\n":
            ln += 1
        if ch.isspace():
            continue
        for kc in nfkc_key(ch):
            keys.append(kc)
            owner.append(i)
            line.append(ln)
    return TextKeys("".join(keys), tuple(owner), tuple(line))


def _kgram_index(s: str, k: int) -> dict[str, list[int]]:
    idx: dict[str, list[int]] = defaultdict(list)
    for p in range(len(s) - k + 1):
        g = s[p : p + k]
        if SENTINEL not in g:
            idx[g].append(p)
    return idx


def _to_labels(
    text: str,
    tk: TextKeys,
    tmatch: Sequence[int],
    tseg: Sequence[int],
    src: Source,
    notes: dict[int, str],
) -> list[CharLabel | None]:
    labels: list[CharLabel | None] = [None] * len(text)
    for ki, ti in enumerate(tk.owner):
        if labels[ti] is not None:
            continue
        m = tmatch[ki]
        if m >= 0:
            labels[ti] = CharLabel(src.owner[m], tseg[ki])
        else:
            labels[ti] = CharLabel(-1, -1, notes.get(ki, "unaligned"))
    return labels


def exact_align(text: str, src: Source, kmin: int) -> list[CharLabel | None]:
    tk = text_keys(text)
    t, s = tk.keys, src.keys
    n, m = len(t), len(s)
    idx = _kgram_index(s, kmin)
    heap: list[tuple[int, int, int, int]] = []

    def bscore(p: int, length: int) -> int:
        return int(p in src.elem_start) + int(p + length - 1 in src.elem_end)

    for i in range(n - kmin + 1):
        if tk.line[i] != tk.line[i + kmin - 1]:
            continue
        for p in idx.get(t[i : i + kmin], ()):
            if i > 0 and p > 0 and tk.line[i - 1] == tk.line[i] and t[i - 1] == s[p - 1]:
                continue
            length = kmin
            ln = tk.line[i]
            while (
                i + length < n
                and p + length < m
                and tk.line[i + length] == ln
                and t[i + length] == s[p + length]
            ):
                length += 1
            heapq.heappush(heap, (-length, -bscore(p, length), i, p))
    tmatch = [-1] * n
    tseg = [-1] * n
    sused = [False] * m
    seg = 0
    while heap:
        negl, _, i, p = heapq.heappop(heap)
        length = -negl
        free = [tmatch[i + j] < 0 and not sused[p + j] for j in range(length)]
        if all(free):
            for j in range(length):
                tmatch[i + j] = p + j
                tseg[i + j] = seg
                sused[p + j] = True
            seg += 1
            continue
        j = 0
        while j < length:  # re-queue the free sub-runs
            if not free[j]:
                j += 1
                continue
            k = j
            while k < length and free[k]:
                k += 1
            if k - j >= kmin:
                heapq.heappush(heap, (-(k - j), -bscore(p + j, k - j), i + j, p + j))
            j = k
    seg = _fill_holes(t, s, tmatch, tseg, sused, seg)
    _substitute(s, tmatch, tseg, sused)
    return _to_labels(text, tk, tmatch, tseg, src, {})


def _substitute(s: str, tmatch: list[int], tseg: list[int], sused: list[bool]) -> None:
    """Unmatched runs whose neighbours' matches leave an unused source gap of the same
    length are glyph-mapping variants (pdfminer emits e.g. U+2EE2 for 马): take the gap."""
    n = len(tmatch)
    i = 0
    while i < n:
        if tmatch[i] >= 0:
            i += 1
            continue
        b = i
        while b < n and tmatch[b] < 0:
            b += 1
        length = b - i
        for q, sid in (
            (
                tmatch[i - 1] + 1 if i > 0 and tmatch[i - 1] >= 0 else -1,
                tseg[i - 1] if i > 0 else -1,
            ),
            (tmatch[b] - length if b < n and tmatch[b] >= 0 else -1, tseg[b] if b < n else -1),
        ):
            if (
                q >= 0
                and q + length <= len(s)
                and SENTINEL not in s[q : q + length]
                and not any(sused[q : q + length])
            ):
                for j in range(length):
                    tmatch[i + j], tseg[i + j], sused[q + j] = q + j, sid, True
                break
        i = b


def _fits(t: str, s: str, a: int, b: int, q: int, sused: Sequence[bool]) -> bool:
    length = b - a
    if q < 0 or q + length > len(s):
        return False
    return s[q : q + length] == t[a:b] and not any(sused[q : q + length])


def _runs(tmatch: Sequence[int]) -> list[tuple[int, int]]:
    out = []
    i, n = 0, len(tmatch)
    while i < n:
        if tmatch[i] >= 0:
            i += 1
            continue
        b = i
        while b < n and tmatch[b] < 0:
            b += 1
        out.append((i, b))
        i = b
    return out


def _take(
    tmatch: list[int], tseg: list[int], sused: list[bool], a: int, q: int, length: int, seg: int
) -> None:
    for j in range(length):
        tmatch[a + j], tseg[a + j], sused[q + j] = q + j, seg, True


def _fill_holes(
    t: str, s: str, tmatch: list[int], tseg: list[int], sused: list[bool], seg: int
) -> int:
    """Place the runs tiling left over, most certain evidence first:
    A. the run continues its text neighbour's match verbatim;
    B. the neighbours' matches leave an unused source gap of exactly the run's length
       (glyph-mapping variants such as pdfminer's U+2EE2 for 马 land here);
    C. the run occurs verbatim in an unused place, best one that fills a hole."""
    changed = True
    while changed:  # A
        changed = False
        for a, b in _runs(tmatch):
            cands = []
            if a > 0 and tmatch[a - 1] >= 0:
                cands.append(tmatch[a - 1] + 1)
            if b < len(t) and tmatch[b] >= 0:
                cands.append(tmatch[b] - (b - a))
            q = next((c for c in cands if _fits(t, s, a, b, c, sused)), None)
            if q is not None:
                _take(tmatch, tseg, sused, a, q, b - a, seg)
                seg += 1
                changed = True
    for a, b in _runs(tmatch):  # B
        if a > 0 and b < len(t) and tmatch[a - 1] >= 0 and tmatch[b] >= 0:
            q = tmatch[a - 1] + 1
            if (
                tmatch[b] - q == b - a
                and SENTINEL not in s[q : tmatch[b]]
                and not any(sused[q : tmatch[b]])
            ):
                _take(tmatch, tseg, sused, a, q, b - a, seg)
                seg += 1
    for a, b in _runs(tmatch):  # C
        seg = _place_run(t, s, tmatch, tseg, sused, a, b, seg)
    return seg


def _place_run(
    t: str, s: str, tmatch: list[int], tseg: list[int], sused: list[bool], a: int, b: int, seg: int
) -> int:
    length = b - a
    best = (-1, -1)
    start = s.find(t[a:b])
    while start >= 0:
        if not any(sused[start : start + length]):
            left = start == 0 or sused[start - 1] or s[start - 1] == SENTINEL
            right = (
                start + length >= len(s) or sused[start + length] or s[start + length] == SENTINEL
            )
            score = int(left) + int(right)
            if score > best[0]:
                best = (score, start)
        start = s.find(t[a:b], start + 1)
    if best[0] >= 0:
        _take(tmatch, tseg, sused, a, best[1], length, seg)
        return seg + 1
    if length == 1:
        return seg
    seg = _place_run(t, s, tmatch, tseg, sused, a, a + 1, seg)
    return _place_run(t, s, tmatch, tseg, sused, a + 1, b, seg)


@dataclass(frozen=True)
class _Mem:
    i: int
    p: int
    length: int


def fuzzy_align(
    text: str, src: Source, kmin: int, gap_pen: float, max_occ: int = 40
) -> list[CharLabel | None]:
    tk = text_keys(text)
    t, s = tk.keys, src.keys
    n = len(t)
    idx = _kgram_index(s, kmin)
    sused = [False] * len(s)
    tmatch = [-1] * n
    tseg = [-1] * n
    notes: dict[int, str] = {}
    # wide[k]: a run of 2+ spaces (or a tab) lies before key k, as between the columns
    # of a psm 6 row; leftovers are never attached across one.
    wide = [False] + [
        len(text[tk.owner[k - 1] + 1 : tk.owner[k]]) >= 2
        or "\t" in text[tk.owner[k - 1] + 1 : tk.owner[k]]
        for k in range(1, n)
    ]
    seg = 0
    i = 0
    while i < n:
        j = i
        while j < n and tk.line[j] == tk.line[i]:
            j += 1
        seg = _fuzzy_line(
            t, s, i, j, idx, kmin, gap_pen, max_occ, sused, tmatch, tseg, notes, seg, wide
        )
        i = j
    return _to_labels(text, tk, tmatch, tseg, src, notes)


def _line_mems(
    t: str, s: str, a: int, b: int, idx: dict[str, list[int]], kmin: int, max_occ: int
) -> list[_Mem]:
    """Maximal exact matches of t[a:b] seeded by k-grams that are not too common
    (common ones would flood the DP); seeds extend both ways so a run whose first
    k-gram is common is still found whole."""
    found: set[tuple[int, int, int]] = set()
    for i in range(a, b - kmin + 1):
        occ = idx.get(t[i : i + kmin], ())
        if len(occ) > max_occ:
            continue
        for p in occ:
            i0, p0 = i, p
            while i0 > a and p0 > 0 and t[i0 - 1] == s[p0 - 1]:
                i0 -= 1
                p0 -= 1
            if i0 < i and len(idx.get(t[i0 : i0 + kmin], ())) <= max_occ and i0 + kmin <= b:
                continue  # found from its own start
            length = i - i0 + kmin
            while i0 + length < b and p0 + length < len(s) and t[i0 + length] == s[p0 + length]:
                length += 1
            found.add((i0, p0, length))
    return [_Mem(i, p, n) for i, p, n in sorted(found)]


def _fuzzy_line(
    t: str,
    s: str,
    a: int,
    b: int,
    idx: dict[str, list[int]],
    kmin: int,
    gap_pen: float,
    max_occ: int,
    sused: list[bool],
    tmatch: list[int],
    tseg: list[int],
    notes: dict[int, str],
    seg: int,
    wide: Sequence[bool],
) -> int:
    spans: list[tuple[int, int, int]] = []
    seg = _chain_range(
        t, s, a, b, idx, kmin, gap_pen, max_occ, sused, tmatch, tseg, seg, spans, depth=3
    )
    if not spans:
        for k in range(a, b):
            notes[k] = "ocr: unaligned line"
        return seg
    return _attach_leftovers(t, s, a, b, sorted(spans), tmatch, tseg, sused, notes, seg, wide)


def _chain_range(
    t: str,
    s: str,
    a: int,
    b: int,
    idx: dict[str, list[int]],
    kmin: int,
    gap_pen: float,
    max_occ: int,
    sused: list[bool],
    tmatch: list[int],
    tseg: list[int],
    seg: int,
    spans: list[tuple[int, int, int]],
    depth: int,
) -> int:
    """Best chain of exact seeds in t[a:b]; uncovered stretches are chained again (a
    seed that overlaps the chosen one in the text can hide a second true run)."""
    mems = _line_mems(t, s, a, b, idx, kmin, max_occ)
    if not mems:
        return seg
    mems.sort(key=lambda x: (x.i + x.length, x.i, x.p))
    score: list[float] = []
    back: list[int] = []
    cont: list[bool] = []
    for jx, mj in enumerate(mems):
        own = mj.length - 0.6 * sum(sused[mj.p : mj.p + mj.length])
        best, arg, is_cont = own, -1, False
        for kx in range(jx):
            mk = mems[kx]
            tgap = mj.i - (mk.i + mk.length)
            if tgap < 0:
                continue
            sgap = mj.p - (mk.p + mk.length)
            c = 0 <= sgap <= 12 and abs(sgap - tgap) <= 3 and SENTINEL not in s[mk.p : mj.p]
            val = score[kx] + own - (0.0 if c else gap_pen)
            if val > best:
                best, arg, is_cont = val, kx, c
        score.append(best)
        back.append(arg)
        cont.append(is_cont)
    jx = max(range(len(mems)), key=lambda x: (score[x], -x))
    chain: list[int] = []
    while jx >= 0:
        chain.append(jx)
        jx = back[jx]
    chain.reverse()
    segments: list[list[_Mem]] = []
    for pos, cx in enumerate(chain):
        if pos == 0 or not cont[cx]:
            segments.append([])
        segments[-1].append(mems[cx])
    for sg in segments:
        prev_i = prev_p = -1
        for mm in sg:
            if prev_i >= 0:  # gap inside a segment: recognition errors stay in the run
                for g in range(prev_i, mm.i):
                    tmatch[g] = max(prev_p - 1, min(prev_p + (g - prev_i), mm.p - 1))
                    tseg[g] = seg
            for q in range(mm.length):
                tmatch[mm.i + q] = mm.p + q
                tseg[mm.i + q] = seg
                sused[mm.p + q] = True
            prev_i, prev_p = mm.i + mm.length, mm.p + mm.length
        spans.append((sg[0].i, sg[-1].i + sg[-1].length, seg))
        seg += 1
    if depth > 0:
        k = a
        while k < b:
            if tmatch[k] >= 0:
                k += 1
                continue
            e = k
            while e < b and tmatch[e] < 0:
                e += 1
            if e - k > kmin:
                seg = _chain_range(
                    t,
                    s,
                    k,
                    e,
                    idx,
                    kmin,
                    gap_pen,
                    max_occ,
                    sused,
                    tmatch,
                    tseg,
                    seg,
                    spans,
                    depth - 1,
                )
            k = e
    return seg


def _attach_leftovers(
    t: str,
    s: str,
    a: int,
    b: int,
    spans: Sequence[tuple[int, int, int]],
    tmatch: list[int],
    tseg: list[int],
    sused: list[bool],
    notes: dict[int, str],
    seg_base: int,
    wide: Sequence[bool],
) -> int:
    """Unmatched runs of <=2 chars join the neighbouring segment of the line unless they
    are typical OCR noise (column rules, specks); longer runs are placed if they occur
    verbatim at one fitting place, else stay unassigned."""
    k = a
    while k < b:
        if tmatch[k] >= 0:
            k += 1
            continue
        e = k
        while e < b and tmatch[e] < 0:
            e += 1
        run = t[k:e]
        prev = max((sp for sp in spans if sp[1] <= k), key=lambda sp: sp[1], default=None)
        nxt = min((sp for sp in spans if sp[0] >= e), key=lambda sp: sp[0], default=None)
        if prev is not None and any(wide[prev[1] : e]):
            prev = None
        if nxt is not None and any(wide[k + 1 : nxt[0] + 1]):
            nxt = None
        if e - k <= 2 and not all(c in NOISE for c in run) and (prev or nxt):
            base, sid = (
                (tmatch[prev[1] - 1], prev[2])
                if prev is not None
                else (tmatch[nxt[0]], nxt[2])
                if nxt is not None
                else (-1, -1)
            )
            for g in range(k, e):
                tmatch[g] = base
                tseg[g] = sid
        elif _place_fragment(t, s, k, e, sused, tmatch, tseg, seg_base):
            seg_base += 1
        else:
            note = "ocr: noise" if all(c in NOISE for c in run) else "ocr: unaligned text"
            for g in range(k, e):
                notes[g] = note
        k = e
    return seg_base


def _place_fragment(
    t: str, s: str, k: int, e: int, sused: list[bool], tmatch: list[int], tseg: list[int], seg: int
) -> bool:
    """A short correctly read fragment (a word cut at a column edge) placed where the
    source has it unused next to already placed text; only when that place is unique."""
    frag = t[k:e]
    if len(frag) < 2 or all(c in NOISE for c in frag):
        return False
    hits = []
    q = s.find(frag)
    while q >= 0:
        if not any(sused[q : q + len(frag)]) and (
            (q > 0 and sused[q - 1]) or (q + len(frag) < len(s) and sused[q + len(frag)])
        ):
            hits.append(q)
        q = s.find(frag, q + 1)
    if len(hits) != 1:
        return False
    for j in range(len(frag)):
        tmatch[k + j], tseg[k + j], sused[hits[0] + j] = hits[0] + j, seg, True
    return True
