"""Dask integration: results on a process-based cluster equal the local API byte for byte."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

distributed = pytest.importorskip("distributed")
dask_bag = pytest.importorskip("dask.bag")

from newsdeinterleave import deinterleave  # noqa: E402
from newsdeinterleave.dask import deinterleave_bag  # noqa: E402


def pages(n: int) -> list[str]:
    """Small two-column pages whose columns alternate on each line."""
    out = []
    for i in range(n):
        left = [f"Council votes {i} new", "budget after a long", "debate on Monday."]
        right = [f"Storm {i} closes", "schools across the", "northern region."]
        out.append("\n".join(f"{a}    {b}" for a, b in zip(left, right, strict=True)) + "\n")
    return out


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2)


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as c,
    ):
        yield c


def test_bag_of_texts_equals_local(client: Any) -> None:
    texts = pages(20)
    bag = dask_bag.from_sequence(texts, npartitions=4)
    remote = deinterleave_bag(bag).compute()
    local = [deinterleave(t).model_dump(mode="json") for t in texts]
    assert [dumps(r) for r in remote] == [dumps(p) for p in local]


def test_bag_of_records_captures_errors(client: Any) -> None:
    records: list[dict[str, Any]] = [{"id": f"r{i}", "text": t} for i, t in enumerate(pages(6))]
    records.append({"id": "bad", "text": 3})
    bag = dask_bag.from_sequence(records, npartitions=3)
    results = deinterleave_bag(bag, text_field="text").compute()
    assert [r["id"] for r in results] == [r["id"] for r in records]
    for result, record in zip(results[:-1], records[:-1], strict=True):
        assert result["ok"]
        assert dumps(result["page"]) == dumps(deinterleave(record["text"]).model_dump(mode="json"))
    assert results[-1]["ok"] is False and results[-1]["error"]["type"] == "TypeError"


def test_read_pages_keeps_bytes_exact(client: Any, tmp_path: Any) -> None:
    from newsdeinterleave.dask import read_pages

    texts = ["\ufeffTitle\r\nBody line one\r\n", "标题\n正文第一行。\n", "Plain page\n"]
    for i, text in enumerate(texts):
        (tmp_path / f"p{i}.txt").write_bytes(text.encode("utf-8"))
    (tmp_path / "p9.txt").write_bytes(b"\xff\xfe broken")
    bag = read_pages(str(tmp_path / "*.txt"))
    results = sorted(deinterleave_bag(bag, text_field="text").compute(), key=lambda r: r["id"])
    assert [r["ok"] for r in results] == [True, True, True, False]
    for result, text in zip(results, texts, strict=False):
        assert dumps(result["page"]) == dumps(deinterleave(text).model_dump(mode="json"))
    assert results[-1]["error"]["type"] == "UnicodeDecodeError"
