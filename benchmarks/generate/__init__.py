"""Labelled benchmark page generator.

Composes newspaper-like pages from corpus articles, renders them with headless
Chromium, extracts the text with real PDF/OCR tools and labels every extracted
character with its source article, so the benchmark measures what real
extractors do to columns rather than what a simulator thinks they do.
"""
