"""Run headless Chromium (HTML -> PDF) and pdftoppm (PDF -> PNG for OCR)."""

from __future__ import annotations

import subprocess
import tempfile
from pathlib import Path

CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-pdf-header-footer",
)


def html_to_pdf(html_path: Path, pdf_path: Path, timeout: int = 120) -> None:
    """Print one HTML file to PDF with a fresh profile (no state shared between pages)."""
    with tempfile.TemporaryDirectory(prefix="ndi-chrome-") as profile:
        cmd = [
            "chromium",
            *CHROMIUM_FLAGS,
            f"--user-data-dir={profile}",
            f"--print-to-pdf={pdf_path}",
            html_path.resolve().as_uri(),
        ]
        subprocess.run(cmd, check=True, capture_output=True, timeout=timeout)
    if not pdf_path.exists():
        raise RuntimeError(f"chromium wrote no PDF for {html_path}")


def pdf_pages(pdf_path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(pdf_path)], check=True, capture_output=True, text=True)
    for line in out.stdout.splitlines():
        if line.startswith("Pages:"):
            return int(line.split()[1])
    raise RuntimeError("pdfinfo gave no page count")


def pdf_to_png(pdf_path: Path, png_base: Path, dpi: int) -> Path:
    subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-gray", "-png", "-singlefile", str(pdf_path), str(png_base)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return png_base.with_suffix(".png")
