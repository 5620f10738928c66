"""Text extraction with real tools, each at its default settings."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from .render import pdf_to_png

BASE_EXTRACTORS = ("pdftotext", "pdfminer", "pymupdf", "tesseract-psm3", "tesseract-psm6")


def pdftotext(pdf: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True, timeout=120
    )
    return out.stdout.decode("utf-8")


def pdfminer_text(pdf: Path) -> str:
    from pdfminer.high_level import extract_text

    return str(extract_text(str(pdf)))


def pymupdf_text(pdf: Path) -> str:
    import pymupdf

    with pymupdf.open(str(pdf)) as doc:  # type: ignore[no-untyped-call]
        return "".join(str(page.get_text()) for page in doc)


def tesseract(pdf: Path, lang: str, psm: int, dpi: int, work: Path) -> str:
    png = pdf_to_png(pdf, work / f"ocr-{dpi}", dpi)
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    tl = "chi_sim" if lang == "zh" else "eng"
    out = subprocess.run(
        ["tesseract", str(png), "-", "-l", tl, "--psm", str(psm)],
        check=True,
        capture_output=True,
        timeout=900,
        env=env,
    )
    return out.stdout.decode("utf-8")


def extract(name: str, pdf: Path, lang: str, dpi: int, work: Path) -> str:
    if name == "pdftotext":
        return pdftotext(pdf)
    if name == "pdfminer":
        return pdfminer_text(pdf)
    if name == "pymupdf":
        return pymupdf_text(pdf)
    if name.startswith("tesseract-psm"):
        return tesseract(pdf, lang, int(name.removeprefix("tesseract-psm")), dpi, work)
    raise ValueError(name)


def join_blocks(text: str) -> tuple[str, list[int]]:
    """Join the lines of each block (run of non-empty lines) with one space, blocks with a
    blank line; return the new text and, per old char index, its new index (-1 if dropped)."""
    lines = text.split("\n")
    out: list[str] = []
    mapping = [-1] * len(text)
    pos = 0  # position in out (chars)
    old = 0
    in_block = False
    for line in lines:
        stripped = line.strip()
        if not stripped:
            in_block = False
            old += len(line) + 1
            continue
        sep = " " if in_block else ("\n\n" if out else "")
        out.append(sep)
        pos += len(sep)
        lead = len(line) - len(line.lstrip())
        for j in range(len(stripped)):
            mapping[old + lead + j] = pos + j
        out.append(stripped)
        pos += len(stripped)
        in_block = True
        old += len(line) + 1
    new = "".join(out) + "\n"
    return new, mapping
