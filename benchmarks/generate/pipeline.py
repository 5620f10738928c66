"""Build the benchmark pages of one composed layout (render, extract, label, write)."""

from __future__ import annotations

import json
import logging
import random
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .align import CharLabel, Source, build_source, exact_align, fuzzy_align, nfkc_key
from .compose import SourceArticle, compose, sub_seed
from .extract import extract, join_blocks
from .gold import build_gold, check_gold, dump_gold
from .html import render_html
from .model import PageSpec
from .render import html_to_pdf, pdf_pages

# Extractor pairs per layout, rotated by layout number: every extractor is well
# represented and OCR (slow) is 4 of every 20 pages (3 for zh: chi_sim OCR of a
# broadsheet page takes about a minute of CPU).
CYCLE: tuple[tuple[str, str], ...] = (
    ("pdftotext", "joined-pdfminer"),
    ("pdfminer", "tesseract-psm6"),
    ("pymupdf", "joined-pdftotext"),
    ("pdftotext", "pdfminer"),
    ("pymupdf", "tesseract-psm3"),
    ("pdfminer", "joined-pymupdf"),
    ("pdftotext", "tesseract-psm6"),
    ("pymupdf", "joined-pdftotext"),
    ("pdfminer", "tesseract-psm3"),
    ("pdftotext", "joined-pdfminer"),
)


# Train layouts after this many get fewer OCR pages (see ``LayoutJob.variants``).
TRAIN_FULL_OCR = 20


@dataclass(frozen=True)
class LayoutJob:
    lang: str
    split: str
    number: int
    seed: int
    articles: tuple[SourceArticle, ...]
    out: Path
    # A labelled page set (held out over dev or test, an extra training batch over
    # train): its own name (pages, folder and the manifest's "set") and its own
    # extractors, over the articles of ``split``; empty for the standard sets.
    label: str = ""
    extractors: tuple[str, ...] = ()

    @property
    def set_split(self) -> str:
        """The page set's name after the language: the split, or a labelled set's label."""
        return self.label or self.split

    @property
    def key(self) -> str:
        return f"{self.lang}-{self.set_split}-{self.number:04d}"

    @property
    def variants(self) -> tuple[str, ...]:
        if self.extractors:
            return self.extractors
        slot = (self.number - 1) % len(CYCLE)
        if self.split == "train" and self.number > TRAIN_FULL_OCR:
            # CPU budget: one OCR page per 10 layouts (psm 6 and psm 3 in turn).
            keep = 1 if (self.number - 1) // len(CYCLE) % 2 == 0 else 4
            if slot != keep and CYCLE[slot][1].startswith("tesseract"):
                return (CYCLE[slot][0], "joined-" + CYCLE[(slot + 3) % len(CYCLE)][0])
        if self.lang == "zh" and slot == 6:
            return ("pdfminer", "joined-pdftotext")
        return CYCLE[slot]

    def page_id(self, variant: str) -> str:
        return f"{self.key}-{variant}"


logging.getLogger("pdfminer").setLevel(logging.ERROR)


def _validator() -> Callable[[Any, str], None]:
    """The library's validator when it exists, else this package's own checker."""
    try:
        from newsdeinterleave.evaluation import load_gold, validate_gold
    except ImportError:
        return check_gold

    def run(gold: Any, text: str) -> None:
        check_gold(gold, text)
        with tempfile.TemporaryDirectory() as d:
            p = Path(d) / "g.json"
            (Path(d) / gold["text_file"]).write_bytes(text.encode("utf-8"))
            p.write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
            loaded, loaded_text = load_gold(p)  # validates
            validate_gold(loaded, loaded_text)

    return run


def _render(job: LayoutJob, work: Path) -> tuple[PageSpec, Path]:
    for attempt in range(4):
        spec = compose(job.key, job.lang, job.split, job.seed, job.articles, attempt)
        html = work / "page.html"
        html.write_text(render_html(spec), encoding="utf-8")
        pdf = work / "page.pdf"
        pdf.unlink(missing_ok=True)
        html_to_pdf(html, pdf)
        if pdf_pages(pdf) == 1:
            return spec, pdf
    raise RuntimeError(f"{job.key}: page does not fit on one PDF page")


def _source(spec: PageSpec) -> tuple[Source, list[list[str]], int]:
    texts = [[e.text for e in a.elements] for a in spec.articles]
    roles = [[e.role for e in a.elements] for a in spec.articles]
    texts.append(list(spec.furniture))
    roles.append(["other"] * len(spec.furniture))
    return build_source(texts), roles, len(spec.articles)


def _stats(
    text: str, labels: Sequence[CharLabel | None], src: Source, furn: int, gold: dict[str, Any]
) -> dict[str, Any]:
    nonws = [lab for lab in labels if lab is not None]
    assigned = [lab for lab in nonws if lab.src >= 0]
    furniture = sum(1 for lab in assigned if src.char_art[lab.src] == furn)
    first_key: dict[int, int] = {}
    for k, gid in enumerate(src.owner):
        first_key.setdefault(gid, k)
    exact = 0
    for i, lab in enumerate(labels):
        if lab is not None and lab.src >= 0:
            exact += int(src.keys[first_key[lab.src]] == nfkc_key(text[i])[0])
    art_chars = sum(1 for a in src.char_art if a != furn)
    covered = len({lab.src for lab in assigned if src.char_art[lab.src] != furn})
    joins = broken = 0
    for a in gold["articles"]:
        ps = a["pieces"]
        chars = sum(len("".join(text[p["start"] : p["end"]].split())) for p in ps)
        joins += max(0, chars - 1)
        for p, q in zip(ps, ps[1:], strict=False):
            between = text[p["end"] : q["start"]] if q["start"] >= p["end"] else "x"
            broken += int(bool(between.strip()) or q["start"] < p["end"])
    return {
        "chars": len(nonws),
        "unassigned": len(nonws) - len(assigned),
        "furniture": furniture,
        "exact_char": exact,
        "source_chars": art_chars,
        "source_covered": covered,
        "joins": joins,
        "broken_joins": broken,
        "articles": len(gold["articles"]),
        "pieces": sum(len(a["pieces"]) for a in gold["articles"]),
    }


def _spells(got: str, want: str) -> bool:
    """``got`` equals ``want`` up to dropped hyphens and CJK code-point variants."""
    i = 0
    for w in want:
        if i < len(got) and (got[i] == w or (ord(got[i]) >= 0x2E80 and ord(w) >= 0x2E80)):
            i += 1
        elif w != "-":
            return False
    return i == len(got)


def _article_check(
    text: str, gold: dict[str, Any], order: Sequence[int], src: Source, variant: str
) -> str:
    """For PDF extractors: does each gold article, read piece by piece, spell its
    source stream (bar hyphens pdftotext dropped and pdfminer's radical variants)?"""
    ok = 0
    for art, a in zip(order, gold["articles"], strict=True):
        got = "".join(
            nfkc_key(c) for p in a["pieces"] for c in text[p["start"] : p["end"]] if not c.isspace()
        )
        want = "".join(
            nfkc_key(src.char_text[g]) for g in range(len(src.char_art)) if src.char_art[g] == art
        )
        ok += int(_spells(got, want))
    return f"{variant}:{ok}/{len(gold['articles'])}"


def _layout_info(spec: PageSpec, dpi: int) -> dict[str, Any]:
    return {
        "width_px": spec.width,
        "font": spec.font,
        "title_font": spec.title_font,
        "justified": spec.justified,
        "punct": spec.punct,
        "bands": [len(b.articles) for b in spec.bands],
        "widths": [list(b.widths) for b in spec.bands],
        "columns": [a.columns for a in spec.articles],
        "font_sizes": [list(b.font_size) for b in spec.bands],
        "line_heights": [list(b.line_height) for b in spec.bands],
        "photos": sum(1 for a in spec.articles if a.photo_after >= 0),
        "furniture": len(spec.furniture),
        "ocr_dpi": dpi,
    }


def run_layout(job: LayoutJob) -> tuple[list[dict[str, Any]], float, str]:
    """Render one layout and write its benchmark pages; returns their manifest lines."""
    validate = _validator()
    t0 = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix=f"ndi-{job.key}-"))
    try:
        spec, pdf = _render(job, work)
        src, roles, furn = _source(spec)
        dpi = random.Random(sub_seed(job.seed, job.key, "dpi")).choice((150, 160))
        kmin = 3 if job.lang == "zh" else 4
        base_cache: dict[str, tuple[str, list[CharLabel | None]]] = {}
        entries = []
        checks: list[str] = []
        for variant in job.variants:
            base = variant.removeprefix("joined-")
            if base not in base_cache:
                raw = extract(base, pdf, job.lang, dpi, work)
                if base.startswith("tesseract"):
                    labels = fuzzy_align(
                        raw, src, 2 if job.lang == "zh" else 3, 2.5 if job.lang == "zh" else 4.0
                    )
                else:
                    labels = exact_align(raw, src, kmin)
                base_cache[base] = (raw, labels)
            text, labels = base_cache[base]
            if variant.startswith("joined-"):
                text, mapping = join_blocks(text)
                new: list[CharLabel | None] = [None] * len(text)
                for old, lab in enumerate(labels):
                    if lab is not None:
                        new[mapping[old]] = lab
                labels = new
            pid = job.page_id(variant)
            gold, order = build_gold(
                pid,
                f"{pid}.txt",
                text,
                job.lang,
                labels,
                src,
                roles,
                furn,
                exact=not base.startswith("tesseract"),
            )
            validate(gold, text)
            d = job.out / f"{job.lang}-{job.set_split}"
            d.mkdir(parents=True, exist_ok=True)
            (d / f"{pid}.txt").write_bytes(text.encode("utf-8"))
            (d / f"{pid}.json").write_bytes(dump_gold(gold).encode("utf-8"))
            if not base.startswith("tesseract"):
                checks.append(_article_check(text, gold, order, src, variant))
            entries.append(
                {
                    "page_id": pid,
                    "path": f"{job.lang}-{job.set_split}/{pid}.txt",
                    "language": job.lang,
                    "split": job.split,
                    **({"set": job.label} if job.label else {}),
                    "extractor": variant,
                    "article_ids": [a.corpus_id for a in spec.articles],
                    "gold_articles": {
                        f"a{n:02d}": spec.articles[i].corpus_id for n, i in enumerate(order, 1)
                    },
                    "layout": _layout_info(spec, dpi if base.startswith("tesseract") else 0),
                    "seed": job.seed,
                    "stats": _stats(text, labels, src, furn, gold),
                }
            )
        return entries, round(time.monotonic() - t0, 1), " ".join(checks)
    finally:
        shutil.rmtree(work, ignore_errors=True)
