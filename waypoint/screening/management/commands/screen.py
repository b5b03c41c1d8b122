"""`waypoint screen`: assess a screening input, or a JSON Lines batch of them, offline.

It needs no database: the engine is pure, and nothing is stored.
"""

import json
import sys
from argparse import ArgumentParser
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, OutputWrapper

from waypoint.domain.screening import (
    ScreeningInput,
    ScreeningInputError,
    assess,
    get_catalogue,
    parse_screening_json,
)

# Bad input is a usage error, as for argparse.
BAD_INPUT = 2


class InputProblem(Exception):
    """One input could not be assessed; `lines` say why, one problem each."""

    def __init__(self, lines: list[str]) -> None:
        super().__init__("; ".join(lines))
        self.lines = lines


def screening_input_of(text: str, *, one_line: bool = False) -> ScreeningInput:
    try:
        return parse_screening_json(text)
    except json.JSONDecodeError as error:
        # In a batch the line number is already given; only the column is news.
        where = (
            f"column {error.colno}" if one_line else f"line {error.lineno}, column {error.colno}"
        )
        raise InputProblem([f"invalid JSON at {where}: {error.msg}"]) from None
    except RecursionError:
        raise InputProblem(["$: nested too deeply to be a screening input"]) from None
    except ScreeningInputError as error:
        raise InputProblem(
            [f"{problem['path']}: {problem['message']}" for problem in error.errors]
        ) from None


class Command(BaseCommand):
    help = (
        "Assess a screening input (JSON) and print the assessment as JSON. With --batch, read "
        "one input per line (JSON Lines) and write one compact result per line."
    )
    # No system checks and no migration check: the command must run without a database.
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", help="The input file, or - to read standard input.")
        parser.add_argument(
            "--batch", action="store_true", help="Read JSON Lines: one input per line."
        )
        parser.add_argument(
            "--language",
            choices=get_catalogue().languages,
            default="en",
            help="The language of the explanations (default: en).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        # Explanations may be in Polish, Ukrainian or Russian whatever the terminal's locale.
        reconfigure = getattr(self.stdout, "reconfigure", None)
        if callable(reconfigure):
            reconfigure(encoding="utf-8")
        with opened(options["file"]) as source:
            if options["batch"]:
                self.screen_batch(source, options["language"])
            else:
                self.screen_one(source, options["language"])

    def screen_one(self, source: TextIO, language: str) -> None:
        try:
            screening_input = screening_input_of(read_all(source))
        except InputProblem as problem:
            for line in problem.lines:
                self.stderr.write(line)
            raise CommandError("The input was not assessed.", returncode=BAD_INPUT) from None
        assessment = assess(screening_input, language=language).to_dict()
        self.stdout.write(json.dumps(assessment, indent=2, ensure_ascii=False))

    def screen_batch(self, source: TextIO, language: str) -> None:
        failed = 0
        write_line = line_writer(self.stdout)
        for number, line in enumerate(lines_of(source), start=1):
            if not line.strip():
                continue
            try:
                screening_input = screening_input_of(line.rstrip("\r\n"), one_line=True)
            except InputProblem as problem:
                failed += 1
                for message in problem.lines:
                    self.stderr.write(f"line {number}: {message}")
                continue
            write_line(assess(screening_input, language=language).to_json_bytes())
        if failed:
            raise CommandError(
                f"{failed} line(s) were not assessed; the others were.", returncode=BAD_INPUT
            )


def line_writer(stdout: OutputWrapper) -> Callable[[bytes], None]:
    """Writes a result (compact UTF-8 JSON) and a newline, and flushes them, so that a long
    batch streams: straight to the bytes under standard output when there are some, which
    saves decoding the result only for the text layer to encode it again."""
    binary = getattr(stdout, "buffer", None)
    if binary is None:

        def write_text(line: bytes) -> None:
            stdout.write(line.decode())
            stdout.flush()

        return write_text
    stdout.flush()

    def write_bytes(line: bytes) -> None:
        binary.write(line + b"\n")
        binary.flush()

    return write_bytes


@contextmanager
def opened(name: str) -> Iterator[TextIO]:
    if name == "-":
        reconfigure = getattr(sys.stdin, "reconfigure", None)
        if callable(reconfigure):
            reconfigure(encoding="utf-8")
        yield sys.stdin
        return
    try:
        stream = Path(name).open(encoding="utf-8")  # noqa: SIM115 (closed below)
    except OSError as error:
        raise CommandError(
            f"Cannot read {name}: {error.strerror or error}", returncode=BAD_INPUT
        ) from None
    with stream:
        yield stream


def read_all(source: TextIO) -> str:
    try:
        return source.read()
    except UnicodeDecodeError as error:
        raise CommandError(
            f"The input is not UTF-8 text (byte {error.start}).", returncode=BAD_INPUT
        ) from None


def lines_of(source: TextIO) -> Iterator[str]:
    """Yield lines one at a time, so that a long batch streams rather than loads."""
    try:
        yield from source
    except UnicodeDecodeError as error:
        raise CommandError(
            f"The input is not UTF-8 text (byte {error.start}).", returncode=BAD_INPUT
        ) from None
