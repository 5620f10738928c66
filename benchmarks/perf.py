"""Speed and memory of ``deinterleave``: the seed page and synthetic pages of 1k-50k fragments.

    nice -n 10 python -m benchmarks.perf [--sizes 1000 5000 20000 50000] [--quick]

Every case runs in a fresh subprocess so that ``ru_maxrss`` (peak resident
memory of the process, including the interpreter and models) belongs to that
case alone; ``tracemalloc`` gives the peak of Python allocations during one
call. Synthetic pages interleave columns of corpus text (dev split, or a
seeded pseudo-text when the corpus is absent) deterministically from
``--seed``, so numbers are comparable between runs. Writes
``benchmarks/results/perf.md`` and ``perf.json``. Not a test: it reports.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import resource
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from benchmarks.fit_detect import (
    DEFAULT_CORPUS,
    CorpusArticle,
    interleaved_page,
    load_articles,
)
from newsdeinterleave import __version__, deinterleave
from newsdeinterleave.segmentation import split_chunks

ROOT = Path(__file__).resolve().parent
SEED_PAGE = ROOT / "pages" / "seed-000.txt"
RESULTS = ROOT / "results"
SIZES = (1000, 5000, 20000, 50000)
MAX_RATIO = 15.0
LINES_CASE = "100k-lines"


def pseudo_articles(lang: str, rng: random.Random, count: int) -> list[CorpusArticle]:
    """Corpus-shaped filler when the corpus is not available (same seed, same text)."""
    if lang == "zh":
        chars = "经济发展改革创新建设国家人民工作会议企业项目市场服务社会文化城市科技合作推进"

        def sentence() -> str:
            body = "".join(rng.choice(chars) for _ in range(rng.randint(8, 30)))
            return body + rng.choice("，。。；")
    else:
        words = (
            "the",
            "company",
            "said",
            "it",
            "would",
            "raise",
            "prices",
            "market",
            "shares",
            "rose",
            "pct",
            "in",
            "trading",
            "analysts",
            "expect",
            "growth",
        )

        def sentence() -> str:
            return " ".join(rng.choice(words) for _ in range(rng.randint(6, 20))).capitalize() + "."

    return [
        CorpusArticle(
            f"pseudo-{i}",
            sentence(),
            tuple(
                "".join(sentence() for _ in range(rng.randint(2, 6)))
                for _ in range(rng.randint(3, 8))
            ),
        )
        for i in range(count)
    ]


def synthetic_page(fragments: int, lang: str, seed: int, corpus: Path) -> str:
    """An interleaved page cut to exactly ``fragments`` whitespace-separated chunks."""
    rng = random.Random(f"perf-{seed}-{lang}-{fragments}")
    if (corpus / f"{lang}-dev.jsonl").exists():
        pool = load_articles(corpus, lang, "dev")
    else:
        pool = pseudo_articles(lang, rng, 400)
    articles: list[CorpusArticle] = []
    while True:
        articles.extend(pool[rng.randrange(len(pool))] for _ in range(8))
        text = interleaved_page(
            articles, random.Random(f"layout-{seed}"), lang, columns=3, height=60
        )
        chunks = split_chunks(text)
        if len(chunks) >= fragments:
            return text[: chunks[fragments - 1].end] + "\n"


def measure(text: str, min_seconds: float, min_runs: int) -> dict[str, Any]:
    """Time repeated calls (after one warm-up) and the tracemalloc peak of one call."""
    deinterleave(text[:2000])  # warm-up on a slice: lazy model loading is not page cost
    runs: list[float] = []
    started = time.perf_counter()
    while len(runs) < min_runs or time.perf_counter() - started < min_seconds:
        t0 = time.perf_counter()
        page = deinterleave(text)
        runs.append(time.perf_counter() - t0)
        if len(runs) >= 50:
            break
    tracemalloc.start()
    deinterleave(text)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    best = min(runs)
    return {
        "chars": len(text),
        "fragments": page.fragment_count or len(split_chunks(text)),
        "articles": len(page.articles),
        "runs": len(runs),
        "seconds_best": round(best, 4),
        "seconds_median": round(sorted(runs)[len(runs) // 2], 4),
        "pages_per_second": round(1.0 / best, 3) if best > 0 else None,
        "tracemalloc_peak_mb": round(peak / 2**20, 2),
        "ru_maxrss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def run_case(case: str, lang: str, seed: int, corpus: Path, quick: bool) -> dict[str, Any]:
    if case == "seed":
        text = SEED_PAGE.read_bytes().decode("utf-8")
        min_seconds, min_runs = (0.5, 2) if quick else (3.0, 5)
    elif case == LINES_CASE:
        # The README's stated bound: 100 000 short lines (one fragment pair each).
        text = "\n".join(f"{i} 经济发展改革创新建设"[: 4 + i % 7] for i in range(100_000))
        min_seconds, min_runs = 0.0, 1
    else:
        text = synthetic_page(int(case), lang, seed, corpus)
        min_seconds, min_runs = (0.0, 1) if quick or int(case) >= 20000 else (2.0, 3)
    return {"case": case, "language": lang, **measure(text, min_seconds, min_runs)}


def run_in_subprocess(
    case: str, lang: str, seed: int, corpus: Path, quick: bool, timeout: float, memory_gb: float
) -> dict[str, Any]:
    """One case in a fresh interpreter, capped in time and address space.

    The cap keeps a superlinear engine from taking the whole (shared) machine
    down; hitting it is reported as the result of the case.
    """
    command = [
        sys.executable,
        "-m",
        "benchmarks.perf",
        "--one",
        case,
        "--language",
        lang,
        "--seed",
        str(seed),
        "--corpus",
        str(corpus),
    ] + (["--quick"] if quick else [])
    limit = int(memory_gb * 2**30)

    def cap() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    try:
        proc = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
            cwd=ROOT.parent,
            preexec_fn=cap,
        )
    except subprocess.TimeoutExpired:
        return {"case": case, "language": lang, "error": f"timeout after {timeout:.0f} s"}
    if proc.returncode != 0:
        tail = proc.stderr.strip().splitlines()[-1:] or [f"exit code {proc.returncode}"]
        if "MemoryError" in proc.stderr:
            tail = [f"out of memory (address-space cap {memory_gb:g} GB)"]
        return {"case": case, "language": lang, "error": tail[0][-300:]}
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def report(results: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    lines = [
        "# deinterleave speed and memory",
        "",
        f"Engine version {meta['version']}, Python {meta['python']}, {meta['machine']}; "
        f"command: `{meta['command']}`. Each case runs in a fresh process.",
        "",
        "| case | lang | fragments | chars | articles | best s | median s | pages/s "
        "| tracemalloc peak MB | ru_maxrss MB |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        if "error" in r:
            lines.append(
                f"| {r['case']} | {r['language']} | error: {r['error'][:80]} | | | | | | | |"
            )
            continue
        lines.append(
            f"| {r['case']} | {r['language']} | {r['fragments']} | {r['chars']} | "
            f"{r['articles']} | {r['seconds_best']} | {r['seconds_median']} | "
            f"{r['pages_per_second']} | {r['tracemalloc_peak_mb']} | {r['ru_maxrss_mb']} |"
        )
    ratio = meta.get("ratio_5k_50k")
    lines += [
        "",
        f"Time ratio 50k / 5k fragments: **{ratio}** (limit {MAX_RATIO}; linear scaling "
        f"would be 10): {meta.get('ratio_verdict')}.",
        "",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(SIZES))
    parser.add_argument("--language", choices=("zh", "en"), default="zh")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--quick", action="store_true", help="one timed run per case")
    parser.add_argument("--timeout", type=float, default=900.0, help="per case, seconds")
    parser.add_argument("--memory-gb", type=float, default=6.0, help="per case address space")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--lines", action="store_true", help="also time a 100 000-line page")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: run one case, print JSON
    args = parser.parse_args(argv)
    if args.one:
        print(json.dumps(run_case(args.one, args.language, args.seed, args.corpus, args.quick)))
        return 0
    cases = ["seed"] + [str(size) for size in args.sizes] + ([LINES_CASE] if args.lines else [])
    results: list[dict[str, Any]] = []
    failed_size = False
    for case in cases:
        lang = "zh" if case == "seed" else args.language
        if failed_size:
            skipped = "skipped: a smaller size failed"
            results.append({"case": case, "language": lang, "error": skipped})
            continue
        result = run_in_subprocess(
            case, lang, args.seed, args.corpus, args.quick, args.timeout, args.memory_gb
        )
        print(json.dumps(result), file=sys.stderr)
        results.append(result)
        failed_size = "error" in result and case not in ("seed", LINES_CASE)
    by_case: dict[str, dict[str, Any]] = {r["case"]: r for r in results if "error" not in r}
    meta: dict[str, Any] = {
        "version": __version__,
        "python": platform.python_version(),
        "machine": f"{platform.machine()} {platform.system()}",
        "command": "python -m benchmarks.perf " + " ".join(argv or sys.argv[1:]),
        "corpus": str(args.corpus) if args.corpus.exists() else "pseudo-text",
    }
    if "5000" in by_case and "50000" in by_case:
        small: float = by_case["5000"]["seconds_best"]
        large: float = by_case["50000"]["seconds_best"]
        ratio = large / max(small, 1e-9)
        meta["ratio_5k_50k"] = round(ratio, 2)
        meta["ratio_verdict"] = "OK" if ratio < MAX_RATIO else "TOO SLOW (superlinear)"
    else:
        meta["ratio_5k_50k"] = None
        meta["ratio_verdict"] = "not measured"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "perf.json").write_text(
        json.dumps({"meta": meta, "results": results}, indent=2) + "\n", encoding="utf-8"
    )
    (args.out / "perf.md").write_text(report(results, meta), encoding="utf-8")
    print(report(results, meta))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
