"""Golden files for `smartmodule test` and `connector test`: `--expect FILE` compares a
run's output with the file, one value per line, and `--update` writes it from the run."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

from runtime.errors import EnvironmentProblem, WeirError
from runtime.human import plural
from tui.cli.output import info


def split_lines(data: bytes) -> list[bytes]:
    """One value per line; a last newline ends the last line and CRLF counts as one."""
    lines = data.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    return [line[:-1] if line.endswith(b"\r") else line for line in lines]


def write_golden(expect_file: str, actual: list[bytes]) -> bool:
    """Write the golden file from this output; whether it changed. A new file is private
    from its first byte (records may be user data); an existing one keeps its mode."""
    data = b"".join(line + b"\n" for line in actual)
    path = Path(expect_file)
    try:
        if path.exists() and path.read_bytes() == data:
            info(f"{expect_file} already matches the {plural(len(actual), 'output record')}")
            return False
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
    except OSError as exc:
        raise EnvironmentProblem(f"{expect_file}: cannot write: {exc.strerror}") from None
    info(f"updated {expect_file}: {plural(len(actual), 'record')}")
    return True


def compare_golden(expect_file: str, actual: list[bytes]) -> WeirError | None:
    """None when the output matches the golden file, else the error to end with (the
    difference is printed on stderr)."""
    try:
        expected = split_lines(Path(expect_file).read_bytes())
    except FileNotFoundError:
        raise EnvironmentProblem(f"{expect_file}: no such file",
                                 hint="create it from this run: add --update") from None
    if expected == actual:
        info(f"ok: the {plural(len(actual), 'output record')} match {expect_file}")
        return None
    diff = difflib.unified_diff(
        [e.decode(errors="replace") for e in expected],
        [a.decode(errors="replace") for a in actual],
        fromfile=expect_file, tofile="actual output", lineterm="")
    for line in diff:
        info(line)
    return WeirError(f"the output differs from {expect_file} "
                     f"({len(expected)} expected, {plural(len(actual), 'actual record')})",
                     hint="if the new output is right, rerun with --update to write it")
