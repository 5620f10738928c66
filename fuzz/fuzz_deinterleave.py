"""Coverage-guided fuzzing of ``deinterleave``: no str input may crash it or lose a character.

Run (niced; crashes are written as ``crash-*`` files to the artifact prefix)::

    pip install atheris
    nice -n 10 python fuzz/fuzz_deinterleave.py -max_total_time=300 -artifact_prefix=/tmp/

Any libFuzzer flag works (``-runs=``, ``-max_len=``, a corpus directory...).
Without a corpus directory the run starts from a temporary one seeded with
realistic interleaved pages, so the fuzzer reaches the engine's interesting
paths (linking, roles) and not only the empty-page path. Every input is
checked with the test suite's independent oracle (``tests/strategies.py``).

``FUZZ_NO_SURROGATES=1`` keeps lone surrogates out of the inputs, to look
past a known surrogate crash for other bugs.

Where atheris is not installable (it ships wheels for CPython <= 3.11 on
Linux), ``--hypothesis SECONDS`` runs a randomized Hypothesis search with the
same oracle instead.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

#: FuzzedDataProvider.ConsumeUnicode reads a leading byte of 0 as "UTF-32 follows".
_UTF32 = b"\x00"


def _seed_corpus() -> str:
    from strategies import HOSTILE_SAMPLES, sample_pages

    folder = tempfile.mkdtemp(prefix="fuzz-deinterleave-")
    for i, page in enumerate([*sample_pages(8), *HOSTILE_SAMPLES]):
        Path(folder, f"seed-{i:02d}").write_bytes(_UTF32 + page.encode("utf-32-le"))
    return folder


def _import_all_submodules() -> None:
    """The API imports the engine lazily; import it now so that it gets instrumented."""
    import importlib
    import pkgutil

    import newsdeinterleave

    for module in pkgutil.walk_packages(newsdeinterleave.__path__, "newsdeinterleave."):
        if module.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(module.name)
        except ImportError:  # optional extras (dask, transformers) may be absent
            continue


def run_atheris(argv: list[str]) -> None:
    import atheris

    # The language model's numeric loops are left uninstrumented: instrumented, they grow the
    # process by ~0.3 MB per input (an atheris artifact; the plain library does not grow) and
    # libFuzzer's 2 GB RSS limit stops the run after a few minutes. They still run and are
    # still checked; only their coverage feedback is lost.
    with atheris.instrument_imports(
        include=["newsdeinterleave"], exclude=["newsdeinterleave.language_model"]
    ):
        from newsdeinterleave import deinterleave

        _import_all_submodules()
    from strategies import check_page

    no_surrogates = os.environ.get("FUZZ_NO_SURROGATES") == "1"

    def one_input(data: bytes) -> None:
        provider = atheris.FuzzedDataProvider(data)
        if no_surrogates:
            text = provider.ConsumeUnicodeNoSurrogates(len(data))
        else:
            text = provider.ConsumeUnicode(len(data))
        check_page(text, deinterleave(text))

    if not any(not arg.startswith("-") for arg in argv[1:]):
        argv = [*argv, _seed_corpus()]
    if not any(arg.startswith("-max_len=") for arg in argv):
        argv = [*argv, "-max_len=16384"]
    atheris.Setup(argv, one_input)
    atheris.Fuzz()


def run_hypothesis(seconds: float) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st
    from strategies import arbitrary_text, check_page, interleaved_pages

    from newsdeinterleave import deinterleave

    deadline = time.monotonic() + seconds
    rounds = 0
    while time.monotonic() < deadline:

        @settings(
            max_examples=500,
            deadline=None,
            database=None,
            derandomize=False,
            suppress_health_check=list(HealthCheck),
        )
        @given(st.one_of(arbitrary_text(max_size=2000), interleaved_pages))
        def search(text: str) -> None:
            check_page(text, deinterleave(text))

        search()
        rounds += 1
    print(f"hypothesis fuzzing: {rounds} rounds of 500 examples, no failure")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--hypothesis":
        run_hypothesis(float(sys.argv[2]))
        return
    try:
        import atheris  # noqa: F401
    except ImportError:
        print("atheris is not installed; falling back to --hypothesis 300", file=sys.stderr)
        run_hypothesis(300)
        return
    run_atheris(sys.argv)


if __name__ == "__main__":
    main()
