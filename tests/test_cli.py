"""The command line: output formats, input decoding and the failure contract.

The engine is exercised through its public signature only; these tests pin
what the CLI promises (faithful JSON, every block rendered, exact decoding,
one message and a distinct exit code per failure), not what the engine finds.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import newsdeinterleave.api
from newsdeinterleave import deinterleave
from newsdeinterleave.cli import Exit, main
from newsdeinterleave.models import Page

PAGE = (
    "Rates rise again\nThe central bank raised its key rate on Tuesday,   Farmers expect a\n"
    "citing stubborn inflation and strong wage growth.   record harvest this autumn after\n"
    "Markets had priced in the move.   a wet spring, officials said.\n"
)


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def page_file(tmp_path: Path) -> Path:
    path = tmp_path / "page.txt"
    path.write_bytes(PAGE.encode("utf-8"))
    return path


def test_json_output_is_the_page_model_dump(
    page_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run([str(page_file)], capsys)
    assert code == Exit.OK, err
    expected = deinterleave(PAGE).model_dump(mode="json")
    assert json.loads(out) == expected
    assert Page.model_validate(json.loads(out)).text_length == len(PAGE)
    # deterministic and pretty: a second run gives the same bytes, indented by 2
    assert run([str(page_file)], capsys)[1] == out
    assert out.startswith('{\n  "articles"')


def test_json_keeps_non_ascii_characters_unescaped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "zh.txt"
    path.write_text("株洲经开区传来好消息。\n该区今年以来已成功签约。\n", encoding="utf-8")
    code, out, _ = run([str(path), "--format", "json"], capsys)
    assert code == Exit.OK
    page = json.loads(out)
    texts = [b["text"] for a in page["articles"] for b in a["blocks"]]
    assert all(t in out for t in texts)
    assert "\\u" not in out


@pytest.mark.parametrize("fmt", ["markdown", "text"])
def test_readable_formats_show_every_block_and_unassigned_text(
    fmt: str, page_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run([str(page_file), "--format", fmt], capsys)
    assert code == Exit.OK
    page = deinterleave(PAGE)
    plain = out.replace("\\", "")  # markdown escapes
    for article in page.articles:
        for block in article.blocks:
            assert block.text in plain
    for span in page.unassigned:
        assert span.text(PAGE) in plain


def test_output_file_and_stdin(
    page_file: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    target = tmp_path / "out.json"
    code, out, _ = run([str(page_file), "-o", str(target)], capsys)
    assert code == Exit.OK and out == ""
    from_file = json.loads(target.read_text(encoding="utf-8"))

    class FakeStdin:
        buffer = __import__("io").BytesIO(PAGE.encode("utf-8"))

    monkeypatch.setattr(sys, "stdin", FakeStdin)
    code, out, _ = run(["-"], capsys)
    assert code == Exit.OK
    assert json.loads(out) == from_file


def test_bytes_are_decoded_exactly_bom_and_crlf_kept(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = "\ufeffHeadline\r\nFirst line of body\rsecond\n"
    path = tmp_path / "bom.txt"
    path.write_bytes(text.encode("utf-8"))
    code, out, _ = run([str(path)], capsys)
    assert code == Exit.OK
    assert json.loads(out) == deinterleave(text).model_dump(mode="json")
    assert json.loads(out)["text_length"] == len(text)


def test_other_encodings_via_flag(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = "新闻联播：经济运行稳中向好。\n"
    path = tmp_path / "gb.txt"
    path.write_bytes(text.encode("gb18030"))
    code, out, _ = run([str(path), "--encoding", "gb18030"], capsys)
    assert code == Exit.OK
    assert json.loads(out)["text_length"] == len(text)


def test_undecodable_bytes_name_encoding_offset_and_fix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "gb.txt"
    data = b"ok " + "新闻".encode("gb18030")
    path.write_bytes(data)
    code, out, err = run([str(path)], capsys)
    assert code == Exit.UNDECODABLE
    assert out == ""
    assert "utf-8" in err and "byte offset 3" in err and "--encoding" in err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("make", "code", "words"),
    [
        (lambda p: p / "missing.txt", Exit.NOT_FOUND, "no such file"),
        (lambda p: p, Exit.IS_DIRECTORY, "is a directory"),
    ],
)
def test_missing_file_and_directory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Any, code: Exit, words: str
) -> None:
    got, out, err = run([str(make(tmp_path))], capsys)
    assert got == code
    assert words in err and out == "" and "Traceback" not in err


def test_unreadable_file(
    page_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Running as root ignores chmod 000, so simulate the OS refusing the read.
    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    code, _, err = run([str(page_file)], capsys)
    assert code == Exit.UNREADABLE and "permission denied" in err


def test_exit_codes_are_distinct() -> None:
    codes = [int(c) for c in Exit]
    assert len(codes) == len(set(codes))


def test_usage_errors(page_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run([str(page_file), "--encoding", "no-such-codec"], capsys)[0] == Exit.USAGE
    assert run([str(page_file), "--encoding", "rot13"], capsys)[0] == Exit.USAGE  # str->str
    assert run([str(page_file), "--format", "yaml"], capsys)[0] == Exit.USAGE
    assert run([str(page_file), "--language", "xx"], capsys)[0] == Exit.USAGE
    assert run([], capsys)[0] == Exit.USAGE


def test_unwritable_output(
    page_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run([str(page_file), "-o", str(tmp_path / "no" / "dir" / "x.json")], capsys)
    assert code == Exit.UNWRITABLE and "cannot write" in err


def test_engine_failure_is_a_message_not_a_traceback(
    page_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(text: str, **options: Any) -> Page:
        raise RuntimeError("boom")

    monkeypatch.setattr(newsdeinterleave.api, "deinterleave", broken)
    code, _, err = run([str(page_file)], capsys)
    assert code == Exit.INTERNAL
    assert "boom" in err and "Traceback" not in err


def test_language_and_method_are_passed_to_the_engine(
    page_file: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: dict[str, Any] = {}
    real = newsdeinterleave.api.deinterleave

    def spy(text: str, **options: Any) -> Page:
        seen.update(options)
        return real(text, **options)

    monkeypatch.setattr(newsdeinterleave.api, "deinterleave", spy)
    assert run([str(page_file), "--language", "en", "--method", "greedy"], capsys)[0] == Exit.OK
    assert seen["language"] == "en" and seen["method"] == "greedy"


def test_page_named_like_a_subcommand(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "batch").write_text(PAGE, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(["./batch"], capsys)
    assert code == Exit.OK and json.loads(out)["text_length"] == len(PAGE)
    code, _, err = run(["batch"], capsys)  # the subcommand, missing its arguments
    assert code == Exit.USAGE and "IN" in err


def test_schema_describes_the_page_model(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["schema"], capsys)
    assert code == Exit.OK
    schema = json.loads(out)
    assert schema == Page.model_json_schema(mode="serialization")
    assert {"articles", "unassigned", "text_length"} <= set(schema["properties"])


def test_detect_subcommand(page_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["detect", str(page_file), "--threshold", "0.5"], capsys)
    assert code == Exit.OK
    score, name, verdict = out.strip().split("\t")
    assert 0.0 <= float(score) <= 1.0 and name == str(page_file)
    assert verdict == ("interleaved" if float(score) >= 0.5 else "clean")


def test_report_subcommand_writes_html(
    page_file: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "r.html"
    code, _, err = run(["report", str(page_file), "-o", str(target)], capsys)
    assert code == Exit.OK, err
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_help_and_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--help"], capsys)
    assert code == 0 and "batch" in out and "./NAME" in out
    code, out, _ = run(["--version"], capsys)
    assert code == 0 and newsdeinterleave.api.__version__ in out


def test_python_dash_m_entry_point(page_file: Path) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(
        [sys.executable, "-m", "newsdeinterleave", str(page_file), "--format", "text"],
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    missing = subprocess.run(
        [sys.executable, "-m", "newsdeinterleave", str(page_file) + ".nope"],
        capture_output=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert missing.returncode == Exit.NOT_FOUND
    assert b"Traceback" not in missing.stderr
