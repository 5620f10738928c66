"""Text-level typesetting simulator: many cheap labelled training pages.

Rendering with Chromium and extracting with real tools (``benchmarks.generate``)
gives the benchmark its realism but costs seconds per page. To fit the link
models on more pages and more extractor behaviours than that budget allows,
this module lays the same composed pages (``compose``) out as text: articles
are wrapped into columns of a character width, set side by side in bands, and
read back the ways extractors misread them (row by row across columns, rows
spliced onto one line, boxes of lines alternating between columns, whole
paragraph boxes read by their tops as pdfminer-style tools do, and the same with
paragraphs' first lines read elsewhere (both opt-in),
visual lines of a block joined with spaces, headers stranded elsewhere).
Labels are exact because every emitted character's source is known.

``python -m benchmarks.simulate --corpus ../shared/corpus --out /tmp/sim --count 400``
writes ``<lang>-train/`` pages, gold files and a ``manifest.jsonl``. Only
train-split articles are used unless ``--split dev`` asks for simulated
development pages (to check a model on a reading mode the rendered dev set
rarely shows; never for fitting).
"""

from __future__ import annotations

import argparse
import json
import random
from dataclasses import dataclass
from pathlib import Path

from newsdeinterleave.evaluation import GoldPage, validate_gold
from newsdeinterleave.punctuation import NO_LINE_END, NO_LINE_START

from .generate.__main__ import load_pool
from .generate.align import CharLabel, build_source
from .generate.compose import choose_articles, compose, page_target, sub_seed
from .generate.gold import build_gold
from .generate.model import ArticleSpec, PageSpec

Token = tuple[str, list[int]]  # text of a unit and the source ids of its non-space chars
Line = list[Token]


@dataclass
class Block:
    """One article as set: header lines above, then its columns of body lines."""

    header: list[Line]
    columns: list[list[Line]]
    paragraph_of: list[list[int]]  # per column, per line: paragraph id (-1 for non-body)


def _units(text: str, ids: list[int], zh: bool) -> list[Token]:
    """Characters (zh) or words (en) with their source ids."""
    out: list[Token] = []
    k = 0
    if zh:
        for ch in text:
            if ch.isspace():
                continue
            out.append((ch, [ids[k]]))
            k += 1
        return out
    for word in text.split():
        out.append((word, ids[k : k + len(word)]))
        k += len(word)
    return out


def _wrap(units: list[Token], width: int, zh: bool) -> list[Line]:
    lines: list[Line] = [[]]
    used = 0
    for unit in units:
        size = len(unit[0]) + (0 if zh or not lines[-1] else 1)
        # Kinsoku: closing punctuation hangs at the line end, opening marks move down.
        hangs = zh and unit[0] in NO_LINE_START
        if lines[-1] and used + size > width and not hangs:
            carry = lines[-1].pop() if zh and lines[-1][-1][0] in NO_LINE_END else None
            lines.append([carry] if carry else [])
            used = len(carry[0]) if carry else 0
            size = len(unit[0])
            lines[-1].append(unit)
            used += size
            continue
        if lines[-1] and used + size > width:
            lines.append([])
            used = 0
            size = len(unit[0])
        lines[-1].append(unit)
        used += size
    return [ln for ln in lines if ln]


def _line_text(line: Line, zh: bool) -> str:
    return ("" if zh else " ").join(t for t, _ in line)


def set_article(art: ArticleSpec, ids: list[list[int]], rng: random.Random, zh: bool) -> Block:
    width = rng.randint(11, 22) if zh else rng.randint(22, 42)
    header: list[Line] = []
    body: list[tuple[Line, int]] = []
    tail: list[tuple[Line, int]] = []
    for e, (el, el_ids) in enumerate(zip(art.elements, ids, strict=True)):
        units = _units(el.text, el_ids, zh)
        if el.role in ("kicker", "title", "subtitle", "byline"):
            header += _wrap(units, width * art.columns + 2, zh)
        elif el.role == "body":
            body += [(ln, e) for ln in _wrap(units, width, zh)]
        elif el.role == "heading":
            body += [(ln, -1) for ln in _wrap(units, width, zh)]
        else:
            tail += [(ln, -1) for ln in _wrap(units, width, zh)]
    if tail and body and rng.random() < 0.6:  # photo box inside the flow
        at = rng.randrange(len(body))
        body = (
            body[:at] + tail[:-1] + body[at:] + tail[-1:]
            if len(tail) > 2
            else body[:at] + tail + body[at:]
        )
    else:
        body += tail
    ncol = max(1, min(art.columns, len(body) // 3 or 1))
    height = -(-len(body) // ncol)
    columns = [body[c * height : (c + 1) * height] for c in range(ncol)]
    return Block(
        header=header,
        columns=[[ln for ln, _ in col] for col in columns],
        paragraph_of=[[p for _, p in col] for col in columns],
    )


def read_band(blocks: list[Block], rng: random.Random, zh: bool, mode: str) -> list[list[Line]]:
    """Output lines (each a list of column lines spliced together) for one band."""
    out: list[list[Line]] = []
    if mode == "column":
        for b in blocks:
            out += [[h] for h in b.header]
            for col, paras in zip(b.columns, b.paragraph_of, strict=True):
                out += _joined(col, paras, rng) if rng.random() < 0.5 else [[ln] for ln in col]
        return out
    headers = [h for b in blocks for h in b.header]
    if rng.random() < 0.5:
        out += [[h] for h in headers]
        headers = []
    cols = [
        (col, paras) for b in blocks for col, paras in zip(b.columns, b.paragraph_of, strict=True)
    ]
    height = max((len(c) for c, _ in cols), default=0)
    if mode == "paragraphs":
        out += _paragraph_boxes(cols, rng)
    elif mode == "detached":
        out += _paragraph_boxes(cols, rng, detach=0.5)
    elif mode == "boxes":
        row = 0
        while row < height:
            step = rng.randint(2, 8)
            for col, paras in cols:
                part = col[row : row + step]
                if part:
                    out += (
                        _joined(part, paras[row : row + step], rng)
                        if rng.random() < 0.5
                        else [[ln] for ln in part]
                    )
            row += step
    else:
        for row in range(height):
            cells = [col[row] for col, _ in cols if row < len(col)]
            if mode == "splice" or (mode == "mixed" and rng.random() < 0.5):
                out.append(cells)
            else:
                out += [[c] for c in cells]
    if headers:
        at = rng.randrange(len(out) + 1)
        out = out[:at] + [[h] for h in headers] + out[at:]
    return out


def _paragraph_boxes(
    cols: list[tuple[list[Line], list[int]]], rng: random.Random, detach: float = 0.0
) -> list[list[Line]]:
    """Text boxes as a layout analyser finds them, read in order of their tops.

    A box is one paragraph's run of lines inside one column (a paragraph
    that runs on into the next column becomes two boxes; headings and
    captions are boxes of their own). Reading boxes by their top edge across
    the columns, as pdfminer-style tools do, keeps every paragraph whole but
    interleaves the paragraphs of neighbouring columns, so the broken joins
    sit at box ends, mostly at paragraph ends and column bottoms.

    ``detach`` is the chance that a paragraph's indented first line is left
    out of its box, as analysers that group lines by their left edge do: the
    line becomes a box of its own, read after its paragraph, somewhere else
    in the band, or glued onto the front of the box that starts on the same
    row of the next column (one output line holding both).
    """
    boxes: list[tuple[float, int, int, list[Line]]] = []  # top, column, first row, lines
    glued: list[tuple[int, int, Line]] = []  # next column, row, the line to put there
    for c, (col, paras) in enumerate(cols):
        start = 0
        for k in range(1, len(col) + 1):
            same = k < len(col) and paras[k] >= 0 and paras[k] == paras[k - 1]
            if same and rng.random() < 0.04:  # a photo or rule cuts the box
                same = False
            if same:
                continue
            lines = col[start:k]
            opens = paras[start] >= 0 and (start == 0 or paras[start - 1] != paras[start])
            top = start + rng.uniform(-0.8, 0.8)
            if detach and opens and len(lines) > 1 and rng.random() < detach:
                first, lines = lines[0], lines[1:]
                where = rng.random()
                if where < 0.3 and c + 1 < len(cols) and cols[c + 1][0]:
                    glued.append((c + 1, start, first))
                else:
                    at = k - 0.5 if where < 0.65 else rng.uniform(0, len(col))
                    boxes.append((at, c, -1, [first]))
                top += 1
            boxes.append((top, c, start, list(lines)))
            start = k
    boxes.sort(key=lambda b: (b[0], b[1]))
    front: dict[int, list[Line]] = {}
    for c, row, line in glued:  # onto the box of that column holding that row
        k = max(
            (k for k, b in enumerate(boxes) if b[1] == c and 0 <= b[2] <= row),
            key=lambda k: boxes[k][2],
        )
        front.setdefault(k, []).append(line)
    out: list[list[Line]] = []
    joined = rng.random() < 0.7
    for k, (_, _, _, lines) in enumerate(boxes):
        before = front.get(k, [])
        if joined:
            out.append([*before, *lines])
        elif before:
            out += [[*before, lines[0]]] + [[ln] for ln in lines[1:]]
        else:
            out += [[ln] for ln in lines]
    return out


def _joined(col: list[Line], paras: list[int], rng: random.Random) -> list[list[Line]]:
    """Visual lines of one paragraph joined into one output line (each stays a cell)."""
    out: list[list[Line]] = []
    for k, ln in enumerate(col):
        if out and paras[k] >= 0 and paras[k] == paras[k - 1]:
            out[-1].append(ln)
        else:
            out.append([ln])
    return out


# Reading modes of the shipped models' training pages; ``paragraphs`` and
# ``detached`` are opt-in (``--paragraph-boxes``, ``--detached-firsts``) so the
# documented training data stays reproducible.
BAND_MODES = ("column", "rows", "splice", "boxes")


def simulate(
    spec: PageSpec, rng: random.Random, band_modes: tuple[str, ...] = BAND_MODES
) -> tuple[str, list[CharLabel | None], list[list[str]], int]:
    zh = spec.language == "zh"
    texts = [[e.text for e in a.elements] for a in spec.articles] + [list(spec.furniture)]
    roles = [[e.role for e in a.elements] for a in spec.articles] + [
        ["other"] * len(spec.furniture)
    ]
    gid = 0
    ids: list[list[list[int]]] = []
    for elems in texts:
        ids.append([])
        for t in elems:
            n = sum(not c.isspace() for c in t)
            ids[-1].append(list(range(gid, gid + n)))
            gid += n
    mode = rng.choice([*band_modes, "mixed"])
    sep = "\n\n" if rng.random() < 0.4 else "\n"
    out_lines: list[list[Line]] = [
        [_wrap(_units(f, i, zh), 200, zh)[0]]
        for f, i in zip(texts[-1], ids[-1], strict=True)
        if f.strip()
    ]
    k = 0
    for band in spec.bands:
        blocks = [set_article(a, ids[k + j], rng, zh) for j, a in enumerate(band.articles)]
        k += len(band.articles)
        band_mode = mode if rng.random() < 0.8 else rng.choice(list(band_modes))
        out_lines += read_band(blocks, rng, zh, band_mode)
    text_parts: list[str] = []
    labels: list[CharLabel | None] = []
    for n, cells in enumerate(out_lines):
        if n:
            text_parts.append(sep)
            labels += [None] * len(sep)
        for c, cell in enumerate(cells):
            if c:
                text_parts.append(" ")
                labels.append(None)
            for u, (unit, uid) in enumerate(cell):
                if u and not zh:
                    text_parts.append(" ")
                    labels.append(None)
                text_parts.append(unit)
                labels += [CharLabel(g, -1) for g in uid]
    return "".join(text_parts), labels, roles, len(spec.articles)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", type=Path, default=Path("../shared/corpus"))
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--langs", nargs="+", default=["zh", "en"])
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--split", choices=["train", "dev"], default="train")
    ap.add_argument(
        "--paragraph-boxes",
        action="store_true",
        help="also read bands as whole paragraph boxes ordered by their tops (pdfminer-style)",
    )
    ap.add_argument(
        "--detached-firsts",
        action="store_true",
        help="also read bands as paragraph boxes whose indented first lines are read elsewhere",
    )
    args = ap.parse_args(argv)
    modes = BAND_MODES + ("paragraphs",) * args.paragraph_boxes
    modes += ("detached",) * args.detached_firsts
    manifest = []
    for lang in args.langs:
        pool = load_pool(args.corpus, lang, args.split, args.seed + 1000)
        cursor = 0
        folder = args.out / f"{lang}-{args.split}"
        folder.mkdir(parents=True, exist_ok=True)
        for number in range(1, args.count + 1):
            key = f"sim-{lang}-{args.split}-{number:04d}"
            rng = random.Random(sub_seed(args.seed, key))
            arts, cursor = choose_articles(
                pool, cursor, rng.randint(4, 10), lang, page_target(args.seed, key, lang)
            )
            if cursor >= len(pool) - 12:
                cursor = 0
            spec = compose(key, lang, args.split, args.seed, arts)
            text, labels, roles, furn = simulate(spec, rng, modes)
            gold, _ = build_gold(
                key,
                f"{key}.txt",
                text,
                lang,
                labels,
                build_source(
                    [[e.text for e in a.elements] for a in spec.articles] + [list(spec.furniture)]
                ),
                roles,
                furn,
                exact=True,
            )
            validate_gold(GoldPage.model_validate(gold), text)
            (folder / f"{key}.txt").write_bytes(text.encode("utf-8"))
            (folder / f"{key}.json").write_text(json.dumps(gold, ensure_ascii=False), "utf-8")
            manifest.append(
                {
                    "page_id": key,
                    "path": f"{lang}-{args.split}/{key}.txt",
                    "language": lang,
                    "split": args.split,
                    "extractor": "simulated",
                    "article_ids": [a.corpus_id for a in spec.articles],
                }
            )
    with (args.out / "manifest.jsonl").open("w", encoding="utf-8") as fh:
        for rec in manifest:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
