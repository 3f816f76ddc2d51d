"""`weir validate FILE...`: every mistake in connector configs, located and explained."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from tui.cli.output import remember_json


@click.command("validate")
@click.argument("files", nargs=-1, required=True)
@click.option("--secrets", "secrets_file", metavar="FILE",
              help="NAME=value lines; referenced secrets must have a value here or in the "
              "environment.")
@click.option("--strict", is_flag=True, help="Warnings fail validation too.")
@click.option("--json", "as_json", is_flag=True, is_eager=True, callback=remember_json,
              help="Print one JSON document.")
def validate(files: tuple[str, ...], secrets_file: str | None, strict: bool,
             as_json: bool) -> None:
    """Check connector configs (legacy `version: 0.3.0` or `apiVersion`) without running them.

    Exit 0 when no file has errors, 1 when one has, 2 when a file cannot be read.
    FILE `-` reads standard input; a directory means every *.yaml/*.yml under it.
    """
    from runtime.config.diagnostics import Diagnostic, FileReport
    from runtime.config.secrets import mask, read_secrets_file
    from runtime.config.validate import analyze_file, analyze_text
    from runtime.errors import EXIT_FAILED, EXIT_OK, EXIT_USAGE, EnvironmentProblem
    from tui.cli.output import print_json, until_reader_leaves

    secrets = read_secrets_file(secrets_file) if secrets_file else None
    note_module = _registration_notes()
    # mask what the configs declare (rendered or plaintext); other values cannot appear
    secret_values: set[str] = set()
    reports: list[FileReport] = []
    unreadable = False
    for path, problem in _expand(files):
        if problem is not None:
            unreadable = True
            reports.append(FileReport(path, False, None, [Diagnostic(
                "error", "file-unreadable", problem, None, None, None)]))
            continue
        try:
            if path == "-":
                text = sys.stdin.buffer.read()
                from runtime.config.yamlpos import LoadFailure, decode

                try:
                    analysis = analyze_text(decode(text), "<stdin>", secrets=secrets,
                                            check_values=secrets is not None, strict=strict,
                                            note_module=note_module)
                except LoadFailure as exc:
                    reports.append(FileReport("<stdin>", False, None, [exc.diagnostic]))
                    continue
            else:
                analysis = analyze_file(path, secrets_file=secrets_file, strict=strict,
                                        note_module=note_module)
        except EnvironmentProblem as exc:
            unreadable = True
            reports.append(FileReport(path, False, None, [
                Diagnostic("error", "file-unreadable", exc.message.removeprefix(f"{path}: "),
                           None, None, exc.hint)]))
            continue
        secret_values.update(analysis.secret_values.values())
        reports.append(analysis.report)

    def m(text: str | None) -> str | None:
        return mask(text, secret_values) if text else text

    with until_reader_leaves():  # `| head`: the verdict below still decides the exit code
        if as_json:
            doc = {"files": [r.to_json() for r in reports]}
            for f in doc["files"]:
                for d in f["diagnostics"]:
                    d["message"], d["hint"] = m(d["message"]), m(d["hint"])
            print_json(doc)
        else:
            for r in reports:
                for d in r.diagnostics:
                    click.echo(m(d.human(r.path)))
                    if d.hint:
                        click.echo(f"  hint: {m(d.hint)}")
            click.echo(_summary(reports), err=not reports)
    if unreadable:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_OK if all(r.valid for r in reports) else EXIT_FAILED)


def _expand(files: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """(path, None) for each file to check: directories become the YAML files under them
    (sorted). A directory that cannot be listed, or has no YAML file, is (path, why), to
    be reported as unreadable."""
    out: list[tuple[str, str | None]] = []
    for name in files:
        if name == "-" or not Path(name).is_dir():
            out.append((name, None))
            continue
        found: list[str] = []
        unlisted: list[tuple[str, str | None]] = []

        def refused(exc: OSError, into: list = unlisted, top: str = name) -> None:
            into.append((exc.filename or top, f"cannot list the directory: {exc.strerror}"))

        for directory, _dirs, names in os.walk(name, onerror=refused):
            found.extend(os.path.join(directory, n) for n in names
                         if n.endswith((".yaml", ".yml"))
                         and os.path.isfile(os.path.join(directory, n)))
        if not found and not unlisted:
            unlisted.append((name, "directory has no *.yaml or *.yml files"))
        out.extend(sorted((f, None) for f in found))
        out.extend(unlisted)
    return out


def _summary(reports) -> str:
    def count(n: int, word: str) -> str:
        return f"{n} {word}{'' if n == 1 else 's'}"

    errors = sum(len(r.errors) for r in reports)
    warnings = sum(len(r.warnings) for r in reports)
    bad = [r for r in reports if not r.valid]
    verdict = "all valid" if not bad else f"{count(len(bad), 'file')} invalid"
    return (f"{count(len(reports), 'file')} checked: {verdict} "
            f"({count(errors, 'error')}, {count(warnings, 'warning')})")


def _registration_notes():
    """The check behind the `smartmodule-not-registered` infos: against the active
    profile's registry, read once; no notes when it cannot be read."""
    try:
        from runtime.profiles import current_profile
        from smartmodules.registry import list_all

        registered = {e.name for e in list_all()}
        profile = current_profile().name
    except Exception:  # noqa: BLE001 - a note is a courtesy; validation goes on without it
        return None
    from smartmodules.hub import registration_note

    return lambda uses: registration_note(uses, registered, profile)
