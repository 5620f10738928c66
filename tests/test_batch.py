"""Batch runs: parallel, resumable after a kill, and robust to bad pages."""

from __future__ import annotations

import functools
import json
import os
import signal
import subprocess
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

import pytest

from newsdeinterleave import deinterleave
from newsdeinterleave.batch import BatchOptions, Job, _Pool, file_name, run_batch
from newsdeinterleave.cli import Exit, main


def write_jsonl(path: Path, records: list[Any]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for record in records:
            fh.write(record if isinstance(record, str) else json.dumps(record, ensure_ascii=False))
            fh.write("\n")


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


# The batch machinery is under test here, not the engine: most tests run the
# engine's "noop" method so that they stay fast whatever the full engine costs.
NOOP = functools.partial(deinterleave, method="noop")


def tiny_pages(n: int) -> list[dict[str, Any]]:
    """One-line pages: the batch machinery is under test here, not the engine."""
    return [{"id": f"p{i:05d}", "text": f"page{i}"} for i in range(n)]


def test_thousand_pages_with_two_workers(tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    pages = tiny_pages(1000)
    write_jsonl(source, pages)
    summary = run_batch(source, out, BatchOptions(workers=2, chunk_size=25, engine=NOOP))
    assert (summary.ok, summary.failed, summary.skipped) == (1000, 0, 0)
    records = read_jsonl(out)
    assert [r["id"] for r in records] == [p["id"] for p in pages]  # input order kept
    assert all(r["ok"] and r["error"] is None for r in records)
    for record, page in zip(records, pages, strict=True):
        assert record["page"] == NOOP(page["text"]).model_dump(mode="json")


def test_results_equal_the_single_page_api(tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    pages = [
        {"id": str(i), "text": f"Title {i}\nBody of page {i} continues   Other column\n"}
        for i in range(3)
    ]
    write_jsonl(source, pages)
    run_batch(source, out, BatchOptions(workers=2, language="en"))
    for record, page in zip(read_jsonl(out), pages, strict=True):
        expected = deinterleave(page["text"], language="en").model_dump(mode="json")
        assert json.dumps(record["page"]) == json.dumps(expected)


def test_bad_records_become_errors_and_the_run_goes_on(tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_jsonl(
        source,
        [
            {"id": "good1", "text": "A page"},
            {"id": "num", "text": 42},
            {"id": "nofield", "body": "x"},
            "{not json",
            [1, 2],
            "",
            {"id": 7, "text": "numeric id"},
            {"text": "no id"},
        ],
    )
    summary = run_batch(source, out, BatchOptions())
    by_id = {r["id"]: r for r in read_jsonl(out)}
    assert summary.ok == 3 and summary.failed == 4
    assert by_id["num"]["ok"] is False and by_id["num"]["page"] is None
    assert by_id["num"]["error"]["type"] == "TypeError"
    assert "not a string" in by_id["num"]["error"]["message"]
    assert by_id["nofield"]["error"]["type"] == "MissingField"
    assert by_id["line-4"]["error"]["type"] == "JSONDecodeError"
    assert by_id["line-5"]["error"]["type"] == "TypeError"
    assert by_id["7"]["ok"] and by_id["line-8"]["ok"] and by_id["good1"]["ok"]


def test_engine_exception_is_recorded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import newsdeinterleave.batch as batch

    def fragile(text: str, **options: Any) -> Any:
        if "poison" in text:
            raise ValueError("cannot parse poison")
        return deinterleave(text, **options)

    monkeypatch.setattr(batch, "deinterleave", fragile)
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_jsonl(source, [{"id": "a", "text": "fine"}, {"id": "b", "text": "poison"}])
    summary = run_batch(source, out, BatchOptions())
    errors = {r["id"]: r["error"] for r in read_jsonl(out)}
    assert summary.failed == 1
    assert errors == {"a": None, "b": {"type": "ValueError", "message": "cannot parse poison"}}


def crash_on_poison(text: str, **options: Any) -> Any:
    """An engine whose worker process dies on one page (stands in for a segfault or OOM kill)."""
    if text == "poison":
        os._exit(3)
    return deinterleave(text, method="noop", **options)


def test_a_page_that_kills_its_worker_is_recorded_and_the_run_goes_on(tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    pages = tiny_pages(60)
    pages[37]["text"] = "poison"
    write_jsonl(source, pages)
    options = BatchOptions(workers=2, chunk_size=4, engine=crash_on_poison)
    summary = run_batch(source, out, options)
    records = read_jsonl(out)
    assert [r["id"] for r in records] == [p["id"] for p in pages]
    assert (summary.ok, summary.failed) == (59, 1)
    assert records[37]["error"]["type"] == "WorkerCrashed"


class _BrokenExecutor:
    """An executor whose pool broke before the next submission (a worker died in between)."""

    def submit(self, *args: Any) -> Any:
        raise BrokenProcessPool("a child process terminated abruptly")

    def shutdown(self, wait: bool = True, cancel_futures: bool = False) -> None:
        pass


def test_a_pool_broken_between_submissions_is_reported_through_the_future() -> None:
    pool = _Pool(BatchOptions(workers=2))
    pool.executor.shutdown()
    pool.executor = _BrokenExecutor()  # type: ignore[assignment]
    future = pool.submit([Job("p1", text="text")])
    assert isinstance(future.exception(), BrokenProcessPool)
    pool.close()


def test_torn_last_line_is_cut_and_redone(tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    pages = tiny_pages(20)
    write_jsonl(source, pages)
    run_batch(source, out, BatchOptions())
    lines = out.read_bytes().splitlines(keepends=True)
    out.write_bytes(b"".join(lines[:7]) + lines[7][: len(lines[7]) // 2])  # kill mid-write
    summary = run_batch(source, out, BatchOptions())
    assert (summary.skipped, summary.ok) == (7, 13)
    ids = [r["id"] for r in read_jsonl(out)]
    assert sorted(ids) == sorted(p["id"] for p in pages) and len(ids) == len(set(ids))


SLOW_RUN = """
import sys, time
import newsdeinterleave.batch as batch
real = batch.deinterleave
def slow(text, **options):
    time.sleep(0.004)
    return real(text, method="noop", **options)
batch.deinterleave = slow
from newsdeinterleave.cli import main
sys.exit(main(sys.argv[1:]))
"""


def test_resume_after_sigkill_has_no_gap_and_no_duplicate(tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    pages = tiny_pages(300)
    write_jsonl(source, pages)
    argv = ["batch", str(source), str(out), "--quiet"]
    proc = subprocess.Popen([sys.executable, "-c", SLOW_RUN, *argv], start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        if out.exists() and out.stat().st_size > 10_000:
            break
        time.sleep(0.01)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL, "the run finished before it could be killed"
    written_before = out.read_bytes().count(b"\n")  # complete lines only
    assert 0 < written_before < len(pages)

    assert run_batch(source, out, BatchOptions(engine=NOOP)).skipped == written_before
    ids = [r["id"] for r in read_jsonl(out)]
    assert len(ids) == len(set(ids)), "a page was written twice"
    assert sorted(ids) == [p["id"] for p in pages], "a page is missing"


def test_folder_to_folder_and_resume(tmp_path: Path) -> None:
    pages = tmp_path / "pages"
    (pages / "sub").mkdir(parents=True)
    for i in range(5):
        (pages / f"page{i}.txt").write_text(f"Title {i}\nSome body text {i}.\n", encoding="utf-8")
    (pages / "sub" / "deep.txt").write_text("Nested page\n", encoding="utf-8")
    (pages / "broken.txt").write_bytes(b"caf\xe9 au lait")
    (pages / "notes.md").write_text("ignored", encoding="utf-8")
    out = tmp_path / "results"
    summary = run_batch(pages, out, BatchOptions(output_format="dir"))
    assert (summary.ok, summary.failed) == (6, 1)
    files = sorted(p.name for p in out.iterdir())
    ids = ["broken", "sub/deep"] + [f"page{i}" for i in range(5)]
    assert files == sorted(file_name(i) for i in ids)
    deep = json.loads((out / file_name("sub/deep")).read_text(encoding="utf-8"))
    assert deep["id"] == "sub/deep" and deep["page"]["text_length"] == len("Nested page\n")
    broken = json.loads((out / file_name("broken")).read_text(encoding="utf-8"))
    assert broken["error"]["type"] == "UnicodeDecodeError"
    assert "byte offset 3" in broken["error"]["message"]

    again = run_batch(pages, out, BatchOptions())  # format inferred from the existing folder
    assert (again.ok, again.failed, again.skipped) == (0, 0, 7)
    latin = run_batch(pages, tmp_path / "latin", BatchOptions(encoding="latin-1"))
    assert latin.failed == 0


def test_unpaired_surrogates_from_json_escapes_are_written_losslessly(tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    source.write_text('{"id": "s\\ud800", "text": "bad \\udc00 half"}\n', encoding="utf-8")
    summary = run_batch(source, out, BatchOptions(engine=NOOP))
    assert summary.ok + summary.failed == 1
    (record,) = read_jsonl(out)
    assert record["id"] == "s\ud800"
    assert run_batch(source, out, BatchOptions(engine=NOOP)).skipped == 1


def test_duplicate_ids_in_input_are_written_once(tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    write_jsonl(source, [{"id": "x", "text": "one"}, {"id": "x", "text": "two"}])
    summary = run_batch(source, out, BatchOptions())
    assert (summary.ok, summary.duplicates) == (1, 1)
    assert [r["id"] for r in read_jsonl(out)] == ["x"]


def test_detect_only(tmp_path: Path) -> None:
    source, out = tmp_path / "in.jsonl", tmp_path / "scores.jsonl"
    write_jsonl(source, [{"id": "a", "body": "Line one\nline two"}])
    assert (
        main(["batch", str(source), str(out), "--detect-only", "--text-field", "body", "--quiet"])
        == Exit.OK
    )
    (record,) = read_jsonl(out)
    assert record["ok"] and record["page"] is None and 0.0 <= record["detect"] <= 1.0


def test_file_names_are_safe_and_distinct() -> None:
    ids = ["a/b", "a%2Fb", "..", ".", "x" * 500, "y" * 500, "页面 1", "a\\b"]
    ids += ["\ud800", "z\udfff" * 99]  # unpaired surrogates can arrive through JSON escapes
    names = [file_name(i) for i in ids]
    assert len(set(names)) == len(names)
    assert all("/" not in n and "\\" not in n and len(n.encode()) <= 255 for n in names)
    assert all(n.endswith(".json") and not n.startswith(".") for n in names)


def test_cli_errors_and_summary(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["batch", str(tmp_path / "nope"), str(tmp_path / "o.jsonl")]) == Exit.NOT_FOUND
    assert main(["batch", str(tmp_path), str(tmp_path / "o"), "--workers", "0"]) == Exit.USAGE
    same = tmp_path / "same.jsonl"
    write_jsonl(same, tiny_pages(2))
    assert main(["batch", str(same), str(same)]) == Exit.USAGE
    assert same.read_text(encoding="utf-8").count("\n") == 2  # untouched
    source = tmp_path / "in.jsonl"
    write_jsonl(source, tiny_pages(3))
    capsys.readouterr()
    out = tmp_path / "o.jsonl"
    assert main(["batch", str(source), str(out), "--method", "noop"]) == Exit.OK  # with progress
    err = capsys.readouterr().err
    assert "3 ok, 0 failed, 0 skipped" in err and "pages/s" in err
    assert "Traceback" not in err
    assert [r["page"] for r in read_jsonl(out)] == [
        NOOP(p["text"]).model_dump(mode="json") for p in tiny_pages(3)
    ]
