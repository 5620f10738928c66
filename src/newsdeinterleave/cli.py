"""Command line: ``newsdeinterleave PAGE.txt`` plus the ``schema``, ``batch``, ``report``
and ``detect`` subcommands.

The bare form and the subcommands share one entry point; the first argument
picks the mode, so a page file literally called ``batch`` is given as
``./batch``. Every failure a user can cause ends with a one-line message on
stderr and its own exit code (see :class:`Exit`), never with a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from enum import IntEnum
from pathlib import Path

from newsdeinterleave.api import __version__

PROG = "newsdeinterleave"
SUBCOMMANDS = ("schema", "batch", "report", "detect")
FORMATS = ("json", "markdown", "text")
LANGUAGES = ("zh", "en")
METHODS = ("full", "greedy", "noop")


class Exit(IntEnum):
    """Process exit codes; distinct so that scripts can react to each failure."""

    OK = 0
    INTERNAL = 1
    USAGE = 2
    NOT_FOUND = 3
    IS_DIRECTORY = 4
    UNDECODABLE = 5
    UNREADABLE = 6
    UNWRITABLE = 7
    INTERRUPTED = 130


class CliError(Exception):
    """A failure with a message for the user and the exit code that names it."""

    def __init__(self, code: Exit, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# ------------------------------------------------------------------- input


def check_encoding(encoding: str) -> None:
    """Fail early, as a usage error, on a name that is not a bytes-to-text codec."""
    try:
        b"a".decode(encoding, "ignore")  # empty input would skip the text-codec check
    except LookupError:
        raise CliError(Exit.USAGE, f"unknown text encoding {encoding!r}") from None


def decode_page(data: bytes, encoding: str, name: str) -> str:
    """Decode strictly, without newline translation; a UTF-8 BOM stays in the text.

    Offsets in the result are code points of exactly this string, so nothing
    may be normalised here.
    """
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        bad = exc.object[exc.start : exc.start + 4].hex(" ")
        raise CliError(
            Exit.UNDECODABLE,
            f"{name}: cannot decode as {encoding}: {exc.reason} at byte offset {exc.start} "
            f"(bytes {bad}); try --encoding, e.g. --encoding gb18030 or --encoding latin-1",
        ) from None


def read_bytes(path: str) -> bytes:
    """Bytes of a file, or of stdin for ``-``, with a user-facing error for each failure."""
    if path == "-":
        return sys.stdin.buffer.read()
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise CliError(Exit.NOT_FOUND, f"{path}: no such file") from None
    except IsADirectoryError:
        raise CliError(
            Exit.IS_DIRECTORY,
            f"{path}: is a directory (to process a folder of pages use '{PROG} batch {path} OUT')",
        ) from None
    except PermissionError:
        raise CliError(Exit.UNREADABLE, f"{path}: permission denied") from None
    except OSError as exc:
        raise CliError(Exit.UNREADABLE, f"{path}: cannot read: {exc.strerror or exc}") from None


def read_page(path: str, encoding: str) -> str:
    name = "<stdin>" if path == "-" else path
    return decode_page(read_bytes(path), encoding, name)


def write_output(text: str, out: str | None) -> None:
    """Write UTF-8 with ``\\n`` newlines to a file, or to stdout when no file is given."""
    data = text.encode("utf-8")
    if out is None or out == "-":
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return
    try:
        Path(out).write_bytes(data)
    except OSError as exc:
        raise CliError(Exit.UNWRITABLE, f"{out}: cannot write: {exc.strerror or exc}") from None


# ------------------------------------------------------------------ parsers


def _common(parser: argparse.ArgumentParser, *, engine: bool = True) -> None:
    parser.add_argument(
        "--encoding", default="utf-8", help="encoding of the input bytes (default utf-8)"
    )
    if engine:
        parser.add_argument(
            "--language",
            choices=LANGUAGES,
            default=None,
            help="language of the page (default: detected)",
        )
        parser.add_argument(
            "--method",
            choices=METHODS,
            default="full",
            help="full engine (default), or a baseline: greedy, noop (input order)",
        )


def page_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Rebuild the articles of a newspaper page whose columns got interleaved.",
        epilog=(
            "subcommands: schema | batch | report | detect (see "
            f"'{PROG} SUBCOMMAND --help'). A page file named like a subcommand: use ./NAME."
        ),
    )
    parser.add_argument("page", metavar="PAGE", help="page text file, or - for stdin")
    parser.add_argument("--format", choices=FORMATS, default="json", help="output format")
    parser.add_argument("-o", "--output", metavar="OUT", help="write here instead of stdout")
    _common(parser)
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    return parser


def subcommand_parser(name: str) -> argparse.ArgumentParser:
    prog = f"{PROG} {name}"
    if name == "schema":
        parser = argparse.ArgumentParser(prog=prog, description="Print the JSON Schema of a Page.")
        parser.add_argument("-o", "--output", metavar="OUT")
        return parser
    if name == "report":
        parser = argparse.ArgumentParser(
            prog=prog, description="Write a self-contained HTML report of one page."
        )
        parser.add_argument("page", metavar="PAGE")
        parser.add_argument("-o", "--output", metavar="OUT", help="HTML file (default stdout)")
        _common(parser)
        return parser
    if name == "detect":
        parser = argparse.ArgumentParser(
            prog=prog,
            description="Score how likely each page is column-interleaved (0..1); "
            "prints SCORE<TAB>PAGE per page.",
        )
        parser.add_argument("pages", metavar="PAGE", nargs="+")
        parser.add_argument(
            "--threshold",
            type=float,
            default=None,
            help="also print 'interleaved'/'clean' against this threshold",
        )
        _common(parser, engine=False)
        return parser
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Process many pages: IN is a folder of .txt pages or a JSONL file; OUT is a "
        "JSONL file or a folder (one JSON per page). Reruns skip pages already in OUT.",
    )
    parser.add_argument("input", metavar="IN")
    parser.add_argument("output", metavar="OUT")
    parser.add_argument("--workers", type=int, default=1, help="worker processes (default 1)")
    parser.add_argument("--text-field", default="text", help="JSONL field with the page text")
    parser.add_argument("--id-field", default="id", help="JSONL field with the page id")
    parser.add_argument("--detect-only", action="store_true", help="only score pages with detect()")
    parser.add_argument(
        "--format",
        choices=("jsonl", "dir"),
        default=None,
        help="output kind (default: dir if OUT is a folder or has no .jsonl/.json suffix)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    _common(parser)
    return parser


# ----------------------------------------------------------------- commands


def run_page(args: argparse.Namespace) -> None:
    from newsdeinterleave.api import deinterleave
    from newsdeinterleave.report import render_markdown, render_text

    check_encoding(args.encoding)
    text = read_page(args.page, args.encoding)
    page = deinterleave(text, language=args.language, method=args.method)
    if args.format == "json":
        rendered = json.dumps(page.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    elif args.format == "markdown":
        rendered = render_markdown(page, text)
    else:
        rendered = render_text(page, text)
    write_output(rendered, args.output)


def run_schema(args: argparse.Namespace) -> None:
    from newsdeinterleave.models import Page

    schema = Page.model_json_schema(mode="serialization")
    write_output(json.dumps(schema, ensure_ascii=False, indent=2) + "\n", args.output)


def run_report(args: argparse.Namespace) -> None:
    from newsdeinterleave.api import deinterleave
    from newsdeinterleave.report import render_html

    check_encoding(args.encoding)
    text = read_page(args.page, args.encoding)
    page = deinterleave(text, language=args.language, method=args.method)
    name = "<stdin>" if args.page == "-" else Path(args.page).name
    write_output(render_html(page, text, title=f"{PROG}: {name}"), args.output)


def run_detect(args: argparse.Namespace) -> None:
    from newsdeinterleave.detect import detect

    check_encoding(args.encoding)
    for path in args.pages:  # one line per page as soon as it is scored
        score = detect(read_page(path, args.encoding))
        verdict = ""
        if args.threshold is not None:
            verdict = "\tinterleaved" if score >= args.threshold else "\tclean"
        write_output(f"{score:.4f}\t{path}{verdict}\n", None)


def run_batch(args: argparse.Namespace) -> None:
    from newsdeinterleave.batch import BatchOptions, run_batch

    check_encoding(args.encoding)
    if args.workers < 1:
        raise CliError(Exit.USAGE, "--workers must be at least 1")
    options = BatchOptions(
        workers=args.workers,
        text_field=args.text_field,
        id_field=args.id_field,
        detect_only=args.detect_only,
        output_format=args.format,
        encoding=args.encoding,
        language=args.language,
        method=args.method,
        progress=not args.quiet,
    )
    summary = run_batch(args.input, args.output, options)
    print(summary.describe(), file=sys.stderr)


COMMANDS: dict[str, Callable[[argparse.Namespace], None]] = {
    "schema": run_schema,
    "batch": run_batch,
    "report": run_report,
    "detect": run_detect,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        if args_list and args_list[0] in SUBCOMMANDS:
            name = args_list[0]
            args = subcommand_parser(name).parse_args(args_list[1:])
            COMMANDS[name](args)
        else:
            run_page(page_parser().parse_args(args_list))
    except CliError as exc:
        print(f"{PROG}: error: {exc.message}", file=sys.stderr)
        return int(exc.code)
    except SystemExit as exc:  # argparse: --help, --version and usage errors
        return exc.code if isinstance(exc.code, int) else int(Exit.USAGE)
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return int(Exit.INTERRUPTED)
    except BrokenPipeError:
        # The reader went away (``| head``); silence the flush at exit too.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return int(Exit.OK)
    except Exception as exc:  # noqa: BLE001 - the promise is: never a traceback
        if os.environ.get("NEWSDEINTERLEAVE_DEBUG"):
            import traceback

            traceback.print_exc()
        print(
            f"{PROG}: internal error: {type(exc).__name__}: {exc} "
            f"(please report this with the input page)",
            file=sys.stderr,
        )
        return int(Exit.INTERNAL)
    return int(Exit.OK)
