"""CLI: ``python -m benchmarks.generate --corpus DIR --out DIR --seed 0``.

Pages are planned up front (deterministic article choice per split), then the
layouts not yet on disk are built, optionally in parallel; the manifest is
appended after every layout (a crash loses at most the layouts in flight) and
rewritten sorted at the end, so reruns are resumable and byte-stable.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from multiprocessing import Pool
from pathlib import Path
from typing import Any

from newsdeinterleave.splits import split_of

from .compose import SourceArticle, choose_articles, page_target, sub_seed
from .extract import BASE_EXTRACTORS, HELD_OUT_EXTRACTORS
from .pipeline import LayoutJob, run_layout

DEFAULT_COUNTS = {"train": 151, "dev": 31, "test": 31}


def load_pool(corpus: Path, lang: str, split: str, seed: int) -> list[SourceArticle]:
    arts = []
    with (corpus / f"{lang}-dev.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            if split_of(d["id"]) == split:
                arts.append(SourceArticle(d["id"], d["title"], tuple(d["paragraphs"])))
    arts.sort(key=lambda a: a.id)
    random.Random(sub_seed(seed, lang, split, "pool")).shuffle(arts)
    return arts


def plan(
    corpus: Path,
    out: Path,
    lang: str,
    split: str,
    seed: int,
    count: int,
    label: str = "",
    extractors: tuple[str, ...] = (),
) -> list[LayoutJob]:
    pool = load_pool(corpus, lang, split, seed)
    jobs = []
    cursor = 0
    for number in range(1, count + 1):
        rng = random.Random(sub_seed(seed, lang, split, str(number), "n"))
        key = f"{lang}-{label or split}-{number:04d}"
        arts, cursor = choose_articles(
            pool, cursor, rng.randint(4, 10), lang, page_target(seed, key, lang)
        )
        jobs.append(LayoutJob(lang, split, number, seed, tuple(arts), out, label, extractors))
    return jobs


def read_manifest(path: Path) -> dict[str, dict[str, Any]]:
    if not path.exists():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            d = json.loads(line)
            out[d["page_id"]] = d
    return out


def _done(job: LayoutJob, manifest: dict[str, dict[str, Any]]) -> bool:
    return all(
        job.page_id(v) in manifest and (job.out / manifest[job.page_id(v)]["path"]).exists()
        for v in job.variants
    )


def _safe_run(job: LayoutJob) -> tuple[LayoutJob, list[dict[str, Any]], float, str, str]:
    try:
        entries, secs, checks = run_layout(job)
        return job, entries, secs, checks, ""
    except Exception as exc:  # keep going; the failure is reported and the layout retried later
        return job, [], 0.0, "", f"{type(exc).__name__}: {exc}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.generate", description=__doc__)
    ap.add_argument("--corpus", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--lang", choices=("zh", "en", "all"), default="all")
    ap.add_argument("--split", choices=("train", "dev", "test", "all"), default="all")
    ap.add_argument(
        "--count",
        type=int,
        default=None,
        help="layouts per lang/split (each gives 2 pages); default train 151, dev 31, test 31",
    )
    ap.add_argument("--start", type=int, default=1, help="first layout number to build")
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument(
        "--label",
        default="",
        help="build a labelled page set of this name (pages <lang>-<label>-NNNN) over the "
        "articles of --split (one split), with --extractors instead of the standard pairs: "
        "over dev or test a held-out set, over train an extra batch that training reads "
        "only when named (newsdeinterleave.training --page-sets)",
    )
    ap.add_argument(
        "--extractors",
        nargs="+",
        default=(),
        choices=(*BASE_EXTRACTORS, *HELD_OUT_EXTRACTORS, *(f"joined-{b}" for b in BASE_EXTRACTORS)),
        help="the extractors of every layout of a --label set",
    )
    args = ap.parse_args(argv)
    if bool(args.label) != bool(args.extractors) or (args.label and args.split == "all"):
        ap.error("--label and --extractors go together, with one --split")
    if args.label in DEFAULT_COUNTS:
        ap.error("--label names a labelled page set, never a split")
    langs = ("zh", "en") if args.lang == "all" else (args.lang,)
    splits = ("train", "dev", "test") if args.split == "all" else (args.split,)
    args.out.mkdir(parents=True, exist_ok=True)
    mpath = args.out / "manifest.jsonl"
    manifest = read_manifest(mpath)
    jobs: list[LayoutJob] = []
    for lang in langs:
        for split in splits:
            count = args.count if args.count is not None else DEFAULT_COUNTS[split]
            jobs += [
                j
                for j in plan(
                    args.corpus,
                    args.out,
                    lang,
                    split,
                    args.seed,
                    count,
                    args.label,
                    tuple(args.extractors),
                )
                if j.number >= args.start and not _done(j, manifest)
            ]
    print(f"{len(jobs)} layouts to build", file=sys.stderr, flush=True)
    t0 = time.monotonic()
    failures = 0
    with Pool(args.jobs) if args.jobs > 1 else _Serial() as pool:
        for job, entries, secs, checks, err in pool.imap(_safe_run, jobs):
            if err:
                failures += 1
                print(f"FAIL {job.key}: {err}", file=sys.stderr, flush=True)
                continue
            with mpath.open("a", encoding="utf-8") as fh:
                for e in entries:
                    fh.write(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n")
                    manifest[e["page_id"]] = e
            print(
                f"ok {job.key} {secs}s (total {time.monotonic() - t0:.0f}s) {checks}",
                file=sys.stderr,
                flush=True,
            )
    manifest = {**read_manifest(mpath), **manifest}  # keep lines another run appended
    lines = [json.dumps(manifest[k], ensure_ascii=False, sort_keys=True) for k in sorted(manifest)]
    mpath.write_text("\n".join(lines) + ("\n" if lines else ""), encoding="utf-8")
    print(f"done: {len(manifest)} pages in manifest, {failures} failures", file=sys.stderr)
    return 1 if failures else 0


class _Serial:
    """Pool stand-in for --jobs 1 (easier to debug, no pickling)."""

    def __enter__(self) -> _Serial:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def imap(self, fn: Any, items: Any) -> Any:
        return map(fn, items)


if __name__ == "__main__":
    sys.exit(main())
