"""The text-level simulator's reading modes (training data for the link models)."""

from __future__ import annotations

import random
from itertools import pairwise

from benchmarks.generate.model import ArticleSpec, Element
from benchmarks.simulate import Line, read_band, set_article


def _article(tag: str, paragraphs: int, columns: int) -> ArticleSpec:
    body = tuple(
        Element("body", "".join(f"{tag}{p}" for _ in range(60)), para=p) for p in range(paragraphs)
    )
    return ArticleSpec(
        corpus_id=tag,
        elements=(Element("title", f"{tag}标题"), *body),
        columns=columns,
        photo_after=-1,
        photo_height=0,
        photo_span=False,
        header_in_flow=False,
    )


def _ids(art: ArticleSpec, base: int) -> list[list[int]]:
    out = []
    for el in art.elements:
        out.append(list(range(base, base + len(el.text))))
        base += len(el.text)
    return out


def _cell_text(cell: Line) -> str:
    return "".join(unit for unit, _ in cell)


def test_paragraph_boxes_keep_paragraphs_whole_and_interleave_columns() -> None:
    arts = [_article("甲", 4, 2), _article("乙", 4, 1)]
    rng = random.Random(3)
    blocks = [set_article(a, _ids(a, 10_000 * k), rng, zh=True) for k, a in enumerate(arts)]
    lines = read_band(blocks, random.Random(5), zh=True, mode="paragraphs")
    body = [_cell_text(c)[:2] for ln in lines for c in ln if "标题" not in _cell_text(c)]
    # A paragraph comes out as one run of lines per column it occupies (at
    # most two here), not cut into row-sized pieces...
    runs = [tag for k, tag in enumerate(body) if k == 0 or body[k - 1] != tag]
    assert max(runs.count(tag) for tag in set(runs)) <= 2, runs
    # ...every body character is emitted exactly once...
    emitted = sorted(i for ln in lines for cell in ln for _, ids in cell for i in ids)
    expected = sorted(i for k, a in enumerate(arts) for ids in _ids(a, 10_000 * k) for i in ids)
    assert emitted == expected
    # ...and the two articles' paragraphs alternate rather than follow one another.
    order = [tag[0] for tag in runs]
    switches = sum(a != b for a, b in pairwise(order))
    assert switches >= 2, order


def test_detached_first_lines_leave_their_boxes_and_nothing_is_lost() -> None:
    arts = [_article("甲", 6, 2), _article("乙", 6, 2)]
    rng = random.Random(3)
    blocks = [set_article(a, _ids(a, 10_000 * k), rng, zh=True) for k, a in enumerate(arts)]
    lines = read_band(blocks, random.Random(7), zh=True, mode="detached")
    emitted = [i for ln in lines for cell in ln for _, ids in cell for i in ids]
    expected = sorted(i for k, a in enumerate(arts) for ids in _ids(a, 10_000 * k) for i in ids)
    assert sorted(emitted) == expected
    # In reading order a paragraph's second line follows its first; here some
    # first lines come out elsewhere, so some second lines open the output's run.
    position = {i: k for k, i in enumerate(emitted)}
    starts = [
        (col[k], col[k + 1])
        for b in blocks
        for col, paras in zip(b.columns, b.paragraph_of, strict=True)
        for k in range(len(col) - 1)
        if paras[k] >= 0 and (k == 0 or paras[k - 1] != paras[k]) and paras[k + 1] == paras[k]
    ]
    moved = sum(
        position[second[0][1][0]] != position[first[-1][1][-1]] + 1 for first, second in starts
    )
    assert 0 < moved < len(starts), (moved, len(starts))
