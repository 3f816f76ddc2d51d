"""`weir config convert|new|schema`: convert legacy configs, start new ones, editor schema."""

from __future__ import annotations

import contextlib
import sys
from pathlib import Path

import click

from runtime.private_files import write_private_atomic
from tui.cli.output import action_output_option, print_json


@click.group("config")
def config() -> None:
    """Convert legacy configs, start new ones, print the JSON Schema for editors."""


@config.command("convert")
@click.argument("file")
@click.option("-o", "--output", "out", metavar="OUT",
              help="Write here (and the secrets file beside it) instead of stdout.")
@click.option("--force", is_flag=True, help="Overwrite OUT and its secrets file if they exist.")
@action_output_option(long=False)
def convert(file: str, out: str | None, force: bool, output: str) -> None:
    """Convert a legacy (version: 0.3.0) config to apiVersion 0.1.0, keeping comments.
    FILE `-` reads standard input.

    A current-format file without `apiVersion` (read by Fluvio as 0.0.0) gets the line.

    Plaintext `secrets:` become `meta.secrets` references, and with -o OUT their values go
    to a secrets file (NAME=value lines, mode 600) beside OUT; pass it to `weir validate`
    or `connector run` with --secrets. Printing to stdout writes no file: the values stay
    in FILE only, and the message says how to write them.
    """
    from runtime.config.convert import ConvertFailed, convert_legacy
    from runtime.config.secrets import mask
    from runtime.config.validate import read_config_text
    from runtime.config.yamlpos import LoadFailure, decode
    from runtime.errors import EnvironmentProblem, WeirError

    from_stdin = file == "-"
    label = "<stdin>" if from_stdin else file
    try:
        text = decode(sys.stdin.buffer.read()) if from_stdin else read_config_text(file)
    except LoadFailure as exc:
        d = exc.diagnostic
        raise WeirError(f"{d.location(label)}: {d.message}", hint=d.hint) from None
    except FileNotFoundError:
        raise EnvironmentProblem(f"{file}: no such file") from None
    except OSError as exc:
        raise EnvironmentProblem(f"{label}: cannot read: {exc.strerror}") from None
    try:
        result = convert_legacy(text, label)
    except ConvertFailed as exc:
        errors = [d for d in exc.diagnostics if d.severity == "error"]
        if not errors:
            raise
        for d in errors:
            click.echo(d.human_with_hint(label), err=True)
        raise WeirError(f"{label}: {len(errors)} error{'s' if len(errors) > 1 else ''}; "
                        "nothing converted", hint=f"fix, then check with `weir validate {file}`"
                        ) from None
    if from_stdin and result.secrets and not out:
        raise click.UsageError(
            f"<stdin> has plaintext secrets ({', '.join(result.secrets)}): their values go to "
            "a secrets file beside the output, so give -o OUT (nothing was written)")
    secrets_path = None
    if result.secrets and out:
        secrets_path = Path(out).with_name(Path(out).stem + ".secrets")
    targets = [p for p in (Path(out) if out else None, secrets_path) if p is not None]
    for target in targets:
        if target.exists() and not force:
            raise WeirError(f"{target} exists; not overwriting it",
                            hint="pass --force, or choose another -o OUT")
    if secrets_path is not None:
        lines = "".join(f"{k}={v}\n" for k, v in result.secrets.items())
        with _writing(secrets_path):
            # a new 0600 file, renamed over any old one (--force): whoever had the old
            # one open never sees these values
            write_private_atomic(secrets_path, lines)
    if out:
        with _writing(out):
            Path(out).write_text(result.text, encoding="utf-8")
    if output == "json":
        print_json({"command": "config convert", "input": label, "output": out,
                    "yaml": None if out else result.text,
                    "secrets_file": None if secrets_path is None else str(secrets_path),
                    "secrets": sorted(result.secrets),
                    "notes": [mask(n, result.secrets.values()) for n in result.notes]})
        return
    if out:
        click.echo(f"wrote {out}", err=True)
    else:
        sys.stdout.write(result.text)
    for note in result.notes:
        click.echo(f"note: {mask(note, result.secrets.values())}", err=True)
    if secrets_path is not None:
        click.echo(f"wrote secrets to {secrets_path} (mode 600); check it with "
                   f"`weir validate {out} --secrets {secrets_path}`", err=True)
    elif result.secrets:
        target = Path(file).with_name(Path(file).stem + ".converted.yaml")
        secrets_file = target.with_name(target.stem + ".secrets")
        click.echo(f"the secrets {', '.join(result.secrets)} are now meta.secrets references; "
                   f"their values were not written anywhere. To write them to a secrets "
                   f"file beside the output: `weir config convert {file} -o {target}`, "
                   f"then check both with `weir validate {target} --secrets {secrets_file}`",
                   err=True)


@config.command("new")
@click.argument("type_name", metavar="TYPE")
@click.option("-o", "--output", "out", metavar="FILE", help="Write here instead of stdout.")
@click.option("--name", help="Connector name (default: my-TYPE).")
@click.option("--topic", help="Topic name.")
@click.option("--force", is_flag=True, help="Overwrite FILE if it exists.")
@action_output_option(long=False)
def new(type_name: str, out: str | None, name: str | None, topic: str | None,
        force: bool, output: str) -> None:
    """Print a commented, valid starting config for a built-in TYPE.

    Types: http-source, http-sink, sql-sink, mqtt-source, generator-source (legacy names
    http, mqtt, generator also work).
    """
    from runtime.config.names import validate_name
    from runtime.config.starters import starter, starter_types
    from runtime.errors import WeirError

    if name:
        validate_name("connector", name)
    if topic:
        validate_name("topic", topic)
    try:
        text = starter(type_name, name=name, topic=topic)
    except KeyError:
        from runtime.config.checker import did_you_mean
        from runtime.config.connector_types import LEGACY_TYPES
        from runtime.config.starters import LEGACY_ONLY

        if type_name in LEGACY_ONLY:
            raise click.UsageError(
                f"`{type_name}` is an official connector of the legacy format (version 0.x) "
                "only, and `config new` writes the apiVersion format; `weir validate` checks "
                f"legacy {type_name} configs") from None
        guess = did_you_mean(type_name, [*starter_types(), *LEGACY_TYPES])
        guess = LEGACY_TYPES.get(guess, guess) if guess else None
        raise click.UsageError(
            f"no built-in connector type `{type_name}`"
            + (f"; did you mean `{guess}`?" if guess else "")
            + f" (types: {', '.join(starter_types())})") from None
    if out:
        if Path(out).exists() and not force:
            raise WeirError(f"{out} exists; not overwriting it", hint="pass --force")
        with _writing(out):
            Path(out).write_text(text, encoding="utf-8")
    if output == "json":
        print_json({"command": "config new", "type": type_name, "output": out,
                    "yaml": None if out else text})
    elif out:
        click.echo(f"wrote {out}; check it with `weir validate {out}`", err=True)
    else:
        sys.stdout.write(text)


@contextlib.contextmanager
def _writing(path: str | Path):
    """An OSError while writing `path` becomes a clear environment error (exit 2)."""
    from runtime.errors import EnvironmentProblem

    try:
        yield
    except OSError as exc:
        raise EnvironmentProblem(f"cannot write {path}: {exc.strerror or exc}") from None


@config.command("schema")
@click.option("--format", "fmt", type=click.Choice(["current", "legacy"]), default="current",
              show_default=True, help="Which config format.")
@click.option("--types", "types", is_flag=True,
              help="Instead: the built-in connector types and their parameters.")
def schema(fmt: str, types: bool) -> None:
    """Print the JSON Schema of connector configs, for yaml-language-server.

    Save it (`weir config schema > connector.schema.json`) and point your editor at it,
    e.g. a `# yaml-language-server: $schema=connector.schema.json` first line.
    """
    from runtime.config.schema import config_schema, connector_types
    print_json(connector_types() if types else config_schema(fmt))
