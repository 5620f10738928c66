"""Run :func:`deinterleave` over a Dask bag, locally or on a distributed cluster.

Needs the optional extra: ``pip install 'newsdeinterleave[dask]'``. Dask does
the scheduling, retries and data movement; this module only supplies the
per-item function, so results are byte-for-byte those of the local API (see
``docs/scale.md`` for pointing it at a real cluster).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from newsdeinterleave.api import deinterleave
from newsdeinterleave.batch import BatchOptions, Job, process_job
from newsdeinterleave.cli import CliError, decode_page

if TYPE_CHECKING:
    import dask.bag
    from fsspec.core import OpenFile


def page_json(text: str, options: dict[str, Any]) -> dict[str, Any]:
    """``deinterleave(text).model_dump(mode="json")``: plain data, cheap to ship between workers."""
    return deinterleave(text, **options).model_dump(mode="json")


def record_json(
    record: dict[str, Any], text_field: str, id_field: str, language: str | None, method: str
) -> dict[str, Any]:
    """One batch-style result ``{"id", "ok", "page", "error"}``; a bad record becomes an error."""
    raw_id = record.get(id_field)
    page_id = "" if raw_id is None else str(raw_id)
    text = record.get(text_field)
    if record.get("decode_error"):
        job = Job(page_id, problem=("UnicodeDecodeError", str(record["decode_error"])))
    elif text_field not in record:
        job = Job(page_id, problem=("MissingField", f"no field {text_field!r}"))
    elif not isinstance(text, str):
        message = f"field {text_field!r} is a {type(text).__name__}, not a string"
        job = Job(page_id, problem=("TypeError", message))
    else:
        job = Job(page_id, text=text)
    return process_job(job, BatchOptions(language=language, method=method)).record


def deinterleave_bag(
    bag: dask.bag.Bag,
    *,
    text_field: str | None = None,
    id_field: str = "id",
    language: str | None = None,
    method: str = "full",
) -> dask.bag.Bag:
    """Lazily map the engine over ``bag``.

    With ``text_field=None`` the items are page texts and each result is the
    page JSON (an engine error fails the task, as the local call would raise).
    With ``text_field`` set, the items are dicts (e.g. from
    ``dask.bag.read_text(...).map(json.loads)``) and each result is a batch
    record with per-page errors captured, so one bad page cannot fail a job.
    """
    mapper: Callable[..., dask.bag.Bag] = bag.map  # dask's map is untyped
    if text_field is None:
        options: dict[str, Any] = {"language": language, "method": method}
        return mapper(page_json, options)
    return mapper(record_json, text_field, id_field, language, method)


def read_open_file(open_file: OpenFile, encoding: str) -> dict[str, Any]:
    """``{"id": path, "text": ...}`` from exact bytes (no newline translation, BOM kept)."""
    with open_file as fh:
        data: bytes = fh.read()
    try:
        return {"id": open_file.path, "text": decode_page(data, encoding, open_file.path)}
    except CliError as exc:
        return {"id": open_file.path, "text": None, "decode_error": exc.message}


def read_pages(
    urlpath: str | list[str],
    *,
    encoding: str = "utf-8",
    npartitions: int | None = None,
    storage_options: dict[str, Any] | None = None,
) -> dask.bag.Bag:
    """A bag of page records, one per file, for ``deinterleave_bag(..., text_field="text")``.

    Unlike ``dask.bag.read_text`` this never splits a page at its newlines and
    decodes bytes exactly as the CLI does, so span offsets match the files.
    ``urlpath`` is anything fsspec opens: a glob, a list, ``s3://...``.
    """
    import dask.bag as db
    import fsspec

    files = fsspec.open_files(urlpath, mode="rb", **(storage_options or {}))
    from_sequence: Callable[..., dask.bag.Bag] = db.from_sequence  # untyped in dask
    bag = from_sequence(list(files), npartitions=npartitions or min(len(files), 100) or 1)
    mapper: Callable[..., dask.bag.Bag] = bag.map
    return mapper(read_open_file, encoding)
