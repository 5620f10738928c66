"""benchmarks.compare: runs side by side, read from what benchmarks.run writes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks import run
from benchmarks.compare import compare, load_run, main, parse_run


def _row(extractor: str, broken_kept: int, titles: int) -> dict[str, object]:
    return {
        "system": "full",
        "set": "zh-dev",
        "extractor": extractor,
        "broken_kept": broken_kept,
        "broken_total": 200,
        "broken_join_accuracy": broken_kept / 200,
        "join_accuracy": 0.9,
        "bcubed_f1_macro": 0.85,
        "articles_perfect": 3,
        "titles_correct": titles,
    }


def _write(folder: Path, rows: list[dict[str, object]]) -> Path:
    folder.mkdir()
    (folder / "results.json").write_text(json.dumps({"summary": rows}), "utf-8")
    return folder


def test_each_run_gets_a_column_and_the_change_against_the_first(tmp_path: Path) -> None:
    a = _write(tmp_path / "a", [_row("all", 100, 10), _row("pdftotext", 40, 4)])
    b = _write(tmp_path / "b", [_row("all", 110, 9), _row("pdftotext", 50, 4)])
    table = compare([("shipped", load_run(a)), ("candidate", load_run(b / "results.json"))])
    lines = table.splitlines()
    assert (
        "| zh-dev | all | 50.0 (100) / 90.0 / 85.0 / 3 / 10 | 55.0 (110) / 90.0 / 85.0 / 3 / 9 |"
        in lines
    )
    # The 'all' row comes before the extractors, and a change that rounds away shows as +0.0.
    assert lines.index("| zh-dev | all | +5.0 (+10) / +0.0 / +0.0 / +0 / -1 |") < lines.index(
        "| zh-dev | pdftotext | +5.0 (+10) / +0.0 / +0.0 / +0 / +0 |"
    )


def test_a_row_missing_from_one_run_is_a_dash(tmp_path: Path) -> None:
    a = _write(tmp_path / "a", [_row("all", 100, 10), _row("psm6", 10, 1)])
    b = _write(tmp_path / "b", [_row("all", 100, 10)])
    table = compare([("a", load_run(a)), ("b", load_run(b))], sets=["zh-dev"])
    assert "| zh-dev | psm6 | 5.0 (10) / 90.0 / 85.0 / 3 / 1 | - |" in table.splitlines()
    assert compare([("a", load_run(a))], sets=["en-dev"]).count("\n") == 4  # header only


def test_names_default_to_the_folder_and_bad_files_are_clear_errors(tmp_path: Path) -> None:
    folder = _write(tmp_path / "candidate", [_row("all", 1, 1)])
    assert parse_run(str(folder)) == ("candidate", folder)
    assert parse_run(f"x={folder}/results.json") == ("x", folder / "results.json")
    (tmp_path / "junk.json").write_text("[1, 2]", "utf-8")
    with pytest.raises(ValueError, match="not a benchmarks.run results file"):
        load_run(tmp_path / "junk.json")
    with pytest.raises(SystemExit):
        main([str(tmp_path / "missing")])


def test_reads_what_the_runner_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "noop"
    assert run.main(["--sets", "seed", "--systems", "noop", "--out", str(out)]) == 0
    capsys.readouterr()
    assert main([f"do-nothing={out}", f"again={out}"]) == 0
    printed = capsys.readouterr().out.splitlines()
    # Doing nothing keeps none of the seed page's 51 broken joins and 477 of its 528 joins.
    assert any(line.startswith("| seed | all | 0.0 (0) / 90.3 / ") for line in printed)
    assert "| seed | all | +0.0 (+0) / +0.0 / +0.0 / +0 / +0 |" in printed


def test_runs_of_several_systems_get_a_system_column(tmp_path: Path) -> None:
    noop = {**_row("all", 0, 2), "system": "noop"}
    a = _write(tmp_path / "a", [_row("all", 100, 10), noop])
    table = compare([("a", load_run(a))]).splitlines()
    assert table[2] == "| set | extractor | system | a |"
    assert "| zh-dev | all | noop | 0.0 (0) / 90.0 / 85.0 / 3 / 2 |" in table
