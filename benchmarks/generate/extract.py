"""Text extraction with real tools, each at its default settings."""

from __future__ import annotations

import os
import subprocess
import zlib
from pathlib import Path

from .render import pdf_to_png

BASE_EXTRACTORS = ("pdftotext", "pdfminer", "pymupdf", "tesseract-psm3", "tesseract-psm6")
# Settings no shipped model was trained on, for the held-out page sets
# (``--extractors``): how well the engine carries to other extractors' habits.
# pdftotext -layout prints the columns of a row side by side, padded with spaces;
# pdfminer without box flow orders its text boxes by position alone; PyMuPDF
# sorted reads blocks top to bottom, then left to right; Tesseract psm 4 reads
# the page as one column of variable-size text.
# tesseract-psm6-worn reads rows across columns, as psm 6 does, from the image
# made a worn scan first (``degrade_scan``).
HELD_OUT_EXTRACTORS = (
    "pdftotext-layout",
    "pdfminer-noflow",
    "pymupdf-sorted",
    "tesseract-psm4",
    "tesseract-psm6-worn",
)


def pdftotext(pdf: Path, *options: str) -> str:
    out = subprocess.run(
        ["pdftotext", *options, "-enc", "UTF-8", str(pdf), "-"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out.stdout.decode("utf-8")


def pdfminer_text(pdf: Path, *, box_flow: bool = True) -> str:
    from pdfminer.high_level import extract_text
    from pdfminer.layout import LAParams

    params = LAParams() if box_flow else LAParams(boxes_flow=None)
    return str(extract_text(str(pdf), laparams=params))


def pymupdf_text(pdf: Path, *, sort: bool = False) -> str:
    import pymupdf

    with pymupdf.open(str(pdf)) as doc:  # type: ignore[no-untyped-call]
        return "".join(str(page.get_text(sort=sort)) for page in doc)


def degrade_scan(png: Path) -> Path:
    """The page image as a worn scan: slightly skewed, smaller, blurred and speckled.

    Old newspapers reach OCR as such scans, not as clean renders. The
    disturbance is drawn from the image's own pixels, so a rebuild repeats it.
    """
    import numpy as np
    from PIL import Image, ImageFilter

    with Image.open(png) as image:
        gray = image.convert("L")
    rng = np.random.default_rng(zlib.crc32(gray.tobytes()))
    angle = float(rng.uniform(0.2, 0.6)) * float(rng.choice([-1.0, 1.0]))
    gray = gray.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=255)
    size = (int(gray.width * 0.8), int(gray.height * 0.8))
    gray = gray.resize(size, Image.Resampling.BILINEAR).filter(ImageFilter.GaussianBlur(0.6))
    pixels = np.asarray(gray, dtype=np.float64) * 0.85 + 25.0  # faded ink, yellowed paper
    pixels += rng.normal(0.0, 12.0, pixels.shape)
    out = png.with_name(png.stem + "-worn.png")
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)).save(out)
    return out


def tesseract(pdf: Path, lang: str, psm: int, dpi: int, work: Path, *, worn: bool = False) -> str:
    png = pdf_to_png(pdf, work / f"ocr-{dpi}", dpi)
    if worn:
        png = degrade_scan(png)
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
    if name == "pdftotext-layout":
        return pdftotext(pdf, "-layout")
    if name == "pdfminer":
        return pdfminer_text(pdf)
    if name == "pdfminer-noflow":
        return pdfminer_text(pdf, box_flow=False)
    if name == "pymupdf":
        return pymupdf_text(pdf)
    if name == "pymupdf-sorted":
        return pymupdf_text(pdf, sort=True)
    if name.startswith("tesseract-psm"):
        psm, _, kind = name.removeprefix("tesseract-psm").partition("-")
        return tesseract(pdf, lang, int(psm), dpi, work, worn=kind == "worn")
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
