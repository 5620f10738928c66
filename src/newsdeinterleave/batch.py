"""Process many pages: resumable, parallel, with bounded memory.

Design choices, each for a failure seen in long runs:

- Results are written only by the parent process, one complete line (or one
  atomically renamed file) per page, so a kill can at worst leave one
  truncated last line, which the next run cuts off and redoes.
- A rerun skips every page id already in OUT; nothing is computed twice and
  no id is written twice.
- A page that fails becomes an error record; the run goes on.
- Pages are streamed from IN and at most ``4 * workers`` chunks are in
  flight, so memory does not grow with the number of pages (only the set of
  finished ids does, which resuming needs).
"""

from __future__ import annotations

import functools
import hashlib
import json
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple, Protocol
from urllib.parse import quote

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from newsdeinterleave.api import deinterleave
from newsdeinterleave.cli import CliError, Exit, decode_page
from newsdeinterleave.detect import detect
from newsdeinterleave.models import Page

OutputFormat = Literal["jsonl", "dir"]
JSONL_SUFFIXES = (".jsonl", ".json", ".ndjson")
MAX_NAME_BYTES = 200


@dataclass(frozen=True)
class BatchOptions:
    workers: int = 1
    text_field: str = "text"
    id_field: str = "id"
    detect_only: bool = False
    output_format: OutputFormat | None = None
    encoding: str = "utf-8"
    language: str | None = None
    method: str = "full"
    progress: bool = False
    chunk_size: int = 8
    # Replaces ``deinterleave`` (e.g. ``functools.partial(deinterleave, method="greedy")``);
    # must be a picklable module-level callable when ``workers > 1``.
    engine: Callable[..., Page] | None = None


class Job(NamedTuple):
    """One page to do: its text (JSONL), its file (folder input) or a known problem."""

    id: str
    text: str | None = None
    path: str | None = None
    problem: tuple[str, str] | None = None


class Result(NamedTuple):
    id: str
    ok: bool
    record: dict[str, Any]


@dataclass(frozen=True)
class BatchSummary:
    ok: int
    failed: int
    skipped: int
    duplicates: int
    seconds: float

    @property
    def pages_per_second(self) -> float:
        done = self.ok + self.failed
        return done / self.seconds if self.seconds > 0 else 0.0

    def describe(self) -> str:
        text = (
            f"pages: {self.ok} ok, {self.failed} failed, {self.skipped} skipped "
            f"(already in OUT) in {self.seconds:.1f} s ({self.pages_per_second:.1f} pages/s)"
        )
        if self.duplicates:
            text += f"; {self.duplicates} duplicate ids in IN ignored"
        return text


# ------------------------------------------------------------------ workers


def error_record(page_id: str, kind: str, message: str) -> dict[str, Any]:
    return {"id": page_id, "ok": False, "page": None, "error": {"type": kind, "message": message}}


def process_job(job: Job, options: BatchOptions) -> Result:
    """Run one page; every failure becomes an error record rather than an exception."""
    if job.problem is not None:
        return Result(job.id, False, error_record(job.id, *job.problem))
    try:
        if job.path is not None:
            text = decode_page(Path(job.path).read_bytes(), options.encoding, job.path)
        else:
            text = job.text if job.text is not None else ""
        record: dict[str, Any] = {"id": job.id, "ok": True, "page": None, "error": None}
        if options.detect_only:
            record["detect"] = detect(text)
        else:
            engine = options.engine or functools.partial(deinterleave, method=options.method)
            record["page"] = engine(text, language=options.language).model_dump(mode="json")
        return Result(job.id, True, record)
    except CliError as exc:
        kind = "UnicodeDecodeError" if exc.code == Exit.UNDECODABLE else "OSError"
        return Result(job.id, False, error_record(job.id, kind, exc.message))
    except Exception as exc:  # noqa: BLE001 - one bad page must not stop the run
        return Result(job.id, False, error_record(job.id, type(exc).__name__, str(exc)[:2000]))


def process_chunk(jobs: list[Job], options: BatchOptions) -> list[Result]:
    return [process_job(job, options) for job in jobs]


# ------------------------------------------------------------------- inputs


def iter_folder(folder: Path) -> Iterator[Job]:
    """Every ``*.txt`` below ``folder`` in sorted order; the id is the relative path sans .txt."""
    for path in sorted(folder.rglob("*.txt")):
        if path.is_file():
            yield Job(id=path.relative_to(folder).with_suffix("").as_posix(), path=str(path))


def iter_jsonl(path: Path, text_field: str, id_field: str) -> Iterator[Job]:
    """Records of a JSONL file; a broken line becomes a job that reports its problem."""
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            fallback = f"line-{number}"
            try:
                record = json.loads(raw)
            except (ValueError, UnicodeDecodeError) as exc:
                yield Job(fallback, problem=("JSONDecodeError", f"line {number}: {exc}"))
                continue
            if not isinstance(record, dict):
                message = f"line {number}: a {type(record).__name__}, not an object"
                yield Job(fallback, problem=("TypeError", message))
                continue
            raw_id = record.get(id_field)
            page_id = fallback if raw_id is None or raw_id == "" else str(raw_id)
            if text_field not in record:
                message = f"line {number}: no field {text_field!r} (see --text-field)"
                yield Job(page_id, problem=("MissingField", message))
                continue
            text = record[text_field]
            if not isinstance(text, str):
                message = (
                    f"line {number}: field {text_field!r} is a {type(text).__name__}, not a string"
                )
                yield Job(page_id, problem=("TypeError", message))
                continue
            yield Job(page_id, text=text)


def count_records(path: Path) -> int:
    """Non-blank lines: the progress total, found by one cheap pass over the bytes."""
    with path.open("rb") as fh:
        return sum(1 for line in fh if not line.isspace())


def open_input(source: Path, options: BatchOptions) -> tuple[Iterator[Job], int]:
    if not source.exists():
        raise CliError(Exit.NOT_FOUND, f"{source}: no such file or folder")
    if source.is_dir():
        jobs = list(iter_folder(source))
        return iter(jobs), len(jobs)
    if source.suffix == ".txt":
        raise CliError(
            Exit.USAGE,
            f"{source}: IN must be a folder of .txt pages or a JSONL file "
            f"(for one page: newsdeinterleave {source})",
        )
    try:
        return iter_jsonl(source, options.text_field, options.id_field), count_records(source)
    except OSError as exc:
        raise CliError(Exit.UNREADABLE, f"{source}: cannot read: {exc.strerror or exc}") from None


# ------------------------------------------------------------------ outputs


class Sink(Protocol):
    def has(self, page_id: str) -> bool: ...

    def write(self, result: Result) -> None: ...

    def close(self) -> None: ...


def _encode(record: dict[str, Any], indent: int | None = None) -> bytes:
    """One JSON document plus newline as UTF-8.

    JSONL input may smuggle in unpaired surrogates (``"\\ud800"``), which
    UTF-8 cannot carry; such a record is written with ASCII escapes instead,
    which is still valid JSON and reads back to the same string.
    """
    try:
        return (json.dumps(record, ensure_ascii=False, indent=indent) + "\n").encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(record, ensure_ascii=True, indent=indent) + "\n").encode("ascii")


def _line_id(line: bytes) -> str | None:
    """The id of one output line, reading only its head when it has our layout."""
    text = line.decode("utf-8")
    if text.startswith('{"id": "'):
        try:
            value, _ = json.JSONDecoder().raw_decode(text, 7)
            return str(value)
        except ValueError:
            pass
    try:
        record = json.loads(text)
    except ValueError:
        return None
    return str(record["id"]) if isinstance(record, dict) and "id" in record else None


class JsonlSink:
    """Append-only JSONL; on open, ids already present are collected and a torn tail cut."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: set[str] = set()
        if path.is_dir():
            raise CliError(Exit.USAGE, f"{path}: is a folder; use --format dir for a folder")
        if path.exists():
            self._recover()
        try:
            self._fh = path.open("ab")
        except OSError as exc:
            raise CliError(Exit.UNWRITABLE, f"{path}: cannot write: {exc.strerror}") from None

    def _recover(self) -> None:
        good_end = 0
        with self.path.open("rb") as fh:
            for line in fh:
                if not line.endswith(b"\n"):
                    break  # torn by a kill: everything after the last newline is redone
                good_end += len(line)
                try:
                    page_id = _line_id(line)
                except UnicodeDecodeError:
                    page_id = None
                if page_id is not None:
                    self.done.add(page_id)
        if good_end < self.path.stat().st_size:
            with self.path.open("r+b") as fh:
                fh.truncate(good_end)

    def has(self, page_id: str) -> bool:
        return page_id in self.done

    def write(self, result: Result) -> None:
        self._fh.write(_encode(result.record))
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()


def file_name(page_id: str) -> str:
    """A reversible, path-safe file name for an id; very long ids fall back to a hash.

    A leading dot is escaped too, so no page hides as a dot-file or reads as ``.``/``..``.
    """
    name = quote(page_id, safe="", errors="surrogatepass") + ".json"
    if name.startswith("."):
        name = "%2E" + name[1:]
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        digest = hashlib.sha256(page_id.encode("utf-8", "surrogatepass")).hexdigest()
        name = f"id-sha256-{digest}.json"
    return name


class DirSink:
    """One JSON file per page, written to a temporary name and renamed, so never torn."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        if folder.exists() and not folder.is_dir():
            raise CliError(Exit.USAGE, f"{folder}: is a file; use --format jsonl for a file")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CliError(Exit.UNWRITABLE, f"{folder}: cannot create: {exc.strerror}") from None
        self._names: set[str] = set()
        for entry in os.scandir(folder):
            if entry.name.endswith(".json.tmp"):
                os.unlink(entry.path)
            elif entry.name.endswith(".json"):
                self._names.add(entry.name)

    def has(self, page_id: str) -> bool:
        return file_name(page_id) in self._names

    def write(self, result: Result) -> None:
        name = file_name(result.id)
        tmp = self.folder / (name + ".tmp")
        tmp.write_bytes(_encode(result.record, indent=2))
        os.replace(tmp, self.folder / name)
        self._names.add(name)

    def close(self) -> None:
        return None


def resolve_format(dest: Path, requested: OutputFormat | None) -> OutputFormat:
    if requested is not None:
        return requested
    if dest.is_dir():
        return "dir"
    if dest.suffix.lower() in JSONL_SUFFIXES or dest.is_file():
        return "jsonl"
    return "dir"


# --------------------------------------------------------------------- run


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.1f} pages/s" if speed else "- pages/s", style="progress.data.speed")


def _chunks(jobs: Iterable[Job], size: int) -> Iterator[list[Job]]:
    chunk: list[Job] = []
    for job in jobs:
        chunk.append(job)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _Pool:
    """A process pool that survives a worker dying (killed, out of memory, a crash).

    When the pool breaks, every chunk in flight is lost with it. The oldest
    chunk is then redone page by page on a fresh pool, with nothing else in
    flight, so the page that kills a worker is identified and recorded as a
    ``WorkerCrashed`` error; the other chunks are simply submitted again.
    """

    def __init__(self, options: BatchOptions) -> None:
        self.options = options
        # spawn, not fork: the parent runs a progress thread, and forking a
        # threaded process can deadlock the child.
        self.context = multiprocessing.get_context("spawn")
        self.executor = self._new()

    def _new(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=self.options.workers, mp_context=self.context)

    def submit(self, chunk: list[Job]) -> Future[list[Result]]:
        """A future for the chunk; if the pool broke since the last look, one that says so.

        A worker can die between two submissions, and the executor then refuses
        new work at once. That failure must reach the caller where it collects
        the chunk, in input order, like the chunks already in flight.
        """
        try:
            return self.executor.submit(process_chunk, chunk, self.options)
        except BrokenProcessPool as exc:
            failed: Future[list[Result]] = Future()
            failed.set_exception(exc)
            return failed

    def restart(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._new()

    def isolate(self, chunk: list[Job]) -> list[Result]:
        results: list[Result] = []
        for job in chunk:
            try:
                results.extend(self.submit([job]).result())
            except BrokenProcessPool:
                message = "the worker process died on this page (killed, out of memory or a crash)"
                record = error_record(job.id, "WorkerCrashed", message)
                results.append(Result(job.id, False, record))
                self.restart()
        return results

    def close(self) -> None:
        self.executor.shutdown(wait=True, cancel_futures=True)


def _collect(pool: _Pool, pending: deque[tuple[list[Job], Future[list[Result]]]]) -> list[Result]:
    chunk, future = pending.popleft()
    try:
        return future.result()
    except BrokenProcessPool:
        pool.restart()
        results = pool.isolate(chunk)
        lost = [c for c, _ in pending]
        pending.clear()
        pending.extend((c, pool.submit(c)) for c in lost)
        return results


def execute(chunks: Iterable[list[Job]], options: BatchOptions) -> Iterator[list[Result]]:
    """Results chunk by chunk in input order, with at most ``4 * workers`` chunks in flight."""
    if options.workers <= 1:
        for chunk in chunks:
            yield process_chunk(chunk, options)
        return
    pool = _Pool(options)
    pending: deque[tuple[list[Job], Future[list[Result]]]] = deque()
    try:
        for chunk in chunks:
            pending.append((chunk, pool.submit(chunk)))
            if len(pending) >= 4 * options.workers:
                yield _collect(pool, pending)
        while pending:
            yield _collect(pool, pending)
    finally:
        pool.close()


def _reading(jobs: Iterator[Job], source: Path) -> Iterator[Job]:
    """``jobs``, with an I/O failure of the input reported as such (not as a page error)."""
    try:
        yield from jobs
    except OSError as exc:
        raise CliError(Exit.UNREADABLE, f"{source}: cannot read: {exc.strerror or exc}") from None


def _write(sink: Sink, result: Result, dest: Path) -> None:
    try:
        sink.write(result)
    except OSError as exc:
        raise CliError(Exit.UNWRITABLE, f"{dest}: cannot write: {exc.strerror or exc}") from None


def run_batch(source: str | Path, dest: str | Path, options: BatchOptions) -> BatchSummary:
    """Process every page of ``source`` not yet in ``dest``; see the module docstring."""
    started = time.perf_counter()
    src, out = Path(source), Path(dest)
    if out.exists() and src.exists() and out.resolve() == src.resolve():
        raise CliError(Exit.USAGE, f"{out}: OUT is the same as IN; results need their own file")
    jobs, total = open_input(src, options)
    fmt = resolve_format(out, options.output_format)
    sink: Sink = JsonlSink(out) if fmt == "jsonl" else DirSink(out)
    counts = {"ok": 0, "failed": 0, "skipped": 0, "duplicates": 0}
    seen: set[str] = set()
    progress = Progress(
        TextColumn("[bold]pages"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        disable=not options.progress,
        transient=False,
    )
    task = progress.add_task("pages", total=total)

    def todo() -> Iterator[Job]:
        nonlocal total
        for job in _reading(jobs, src):
            if job.id in seen or sink.has(job.id):
                counts["skipped" if job.id not in seen else "duplicates"] += 1
                total -= 1
                progress.update(task, total=total)
                continue
            seen.add(job.id)
            yield job

    try:
        with progress:
            for results in execute(_chunks(todo(), options.chunk_size), options):
                for result in results:
                    _write(sink, result, out)
                    counts["ok" if result.ok else "failed"] += 1
                progress.advance(task, len(results))
    finally:
        sink.close()
    return BatchSummary(
        ok=counts["ok"],
        failed=counts["failed"],
        skipped=counts["skipped"],
        duplicates=counts["duplicates"],
        seconds=time.perf_counter() - started,
    )
