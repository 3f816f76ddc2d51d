"""`weir connector test CONFIG`: run a connector for a moment against a throwaway store.

A source's records (or what a sink delivered from `--text`/`--file` samples) go to stdout,
one value per line, or one JSON document with `-O json`; the summary, metrics, record errors
and the connector's log go to stderr. Exit 1 when the connector failed, reported a record
error, or (with `--expect`) produced something else than expected.
"""

from __future__ import annotations

import sys

import click

from runtime.human import plural
from tui.cli.output import info, print_json, until_reader_leaves
from tui.cli.params import Count, Duration

_ENDED = {
    "records": "the record limit was reached",
    "time": "the time limit was reached",
    "finished": "the connector finished by itself",
    "failed": "the connector failed",
}


@click.command("test")
@click.argument("config", type=click.Path(dir_okay=False))
@click.option("--secrets", type=click.Path(dir_okay=False),
              help="Secrets file: NAME=value lines (else the environment).")
@click.option("-n", "--records", "max_records", type=Count(1, 1_000_000, "records"), default=10,
              show_default=True, help="A source: stop after this many records.")
@click.option("-t", "--time-limit", type=Duration(example="5s or 500ms"), default="5s",
              show_default=True, help="Stop after this long whatever happened.")
@click.option("--text", help="A sink: one sample record with this value.")
@click.option("--file", "file", type=click.Path(dir_okay=False),
              help="A sink: sample records, one per line.")
@click.option("--raw", is_flag=True, help="With --file: the whole file is one record.")
@click.option("--key", help="A sink: the key of every sample record.")
@click.option("--expect", type=click.Path(dir_okay=False),
              help="Compare the record values with FILE's lines; exit 1 on a difference.")
@click.option("--update", is_flag=True,
              help="With --expect: write FILE from this run (when it had no errors).")
@click.option("--logs/--no-logs", default=True, show_default=True,
              help="Print the connector's log lines (stderr).")
@click.option("-O", "--output", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def test(config: str, secrets: str | None, max_records: int, time_limit: int,
         text: str | None, file: str | None, raw: bool, key: str | None, expect: str | None,
         update: bool, logs: bool, output: str) -> None:
    """Run the connector in CONFIG briefly against a throwaway embedded store.

    \b
    weir connector test generator.yaml -n 5
    weir connector test sql-sink.yaml --file samples.jsonl -O json
    weir connector test my-source.yaml --expect expected.txt
    """
    from tui.cli.golden import compare_golden, write_golden

    if update and expect is None:
        raise click.UsageError("--update needs --expect FILE: the golden file to write")
    outcome = run_config_test(config, secrets=secrets, max_records=max_records,
                              time_limit_ms=time_limit, text=text, file=file, raw=raw, key=key)
    values = [r.value for r in outcome.records]
    failed = outcome.exit_code != 0 or bool(outcome.errors or outcome.failed)
    golden = mismatch = None
    if expect is not None:
        if not update:
            mismatch = compare_golden(expect, values)
            golden = {"file": expect, "matched": mismatch is None, "updated": False}
        elif not failed:
            golden = {"file": expect, "matched": None, "updated": write_golden(expect, values)}
        else:
            info(f"{expect} was left as it was: --update writes only a run without errors")
    with until_reader_leaves():
        if output == "json":
            doc = outcome.to_dict()
            if expect is not None:
                doc["expect"] = golden
            print_json(doc)
        else:
            print_summary(outcome, logs=logs)
            out = sys.stdout.buffer
            for value in values:
                out.write(value + b"\n")
            out.flush()
    if mismatch is not None:
        mismatch.json_reported = output == "json"
        raise mismatch
    if failed:
        raise click.exceptions.Exit(1)


def run_config_test(config: str, *, secrets: str | None = None, max_records: int | None = 10,
                    time_limit_ms: int = 5000, text: str | None = None,
                    file: str | None = None, raw: bool = False, key: str | None = None):
    """Load CONFIG (its problems printed, exit 1 when invalid) and run the test."""
    from runtime.config.load import ConfigInvalid
    from runtime.connectors.harness import run_test
    from runtime.connectors.registry import connector_class
    from runtime.topics.record import ProduceRecord
    from tui.cli.connector_run import describe, load_target

    if text is not None and file is not None:
        raise click.UsageError("--text and --file are exclusive")
    if raw and file is None:
        raise click.UsageError("--raw applies to --file")
    try:
        spec, _ = load_target(config, (), secrets)
    except ConfigInvalid as exc:
        for line in describe(exc.diagnostics, exc.path, config, ()):
            info(line)
        raise click.exceptions.Exit(exc.exit_code) from None
    _, kind = connector_class(spec.type)
    samples: list[ProduceRecord] = []
    if text is not None or file is not None:
        if kind == "source":
            raise click.UsageError(f"`{spec.type}` is a source: it makes its own records; "
                                   "--text and --file give a sink its samples")
        from tui.cli.smartmodule_test import read_inputs

        key_bytes = key.encode() if key is not None else None
        samples = [ProduceRecord(v, key_bytes) for v in read_inputs(text, file, raw)]
    elif kind == "sink":
        raise click.UsageError(f"`{spec.type}` is a sink: give it sample records with --text "
                               "VALUE or --file FILE (one record a line)")
    return run_test(spec, max_records=max_records if kind == "source" else None,
                    time_limit_s=time_limit_ms / 1000, samples=samples)


def print_summary(outcome, *, logs: bool) -> None:
    """The outcome's account on stderr: what ended it, counts, errors, then the log."""
    m = outcome.metrics
    did = (f"produced {plural(outcome.produced_total, 'record')}" if outcome.kind == "source"
           else f"delivered {len(outcome.records)} of the samples"
           + (f", gave up on {len(outcome.failed)}" if outcome.failed else ""))
    shown = (f" (showing the first {len(outcome.records)})"
             if outcome.kind == "source" and outcome.produced_total > len(outcome.records)
             else "")
    info(f"# {outcome.type}: {did}{shown} in {outcome.seconds:.1f}s; "
         f"{_ENDED[outcome.ended]} (exit {outcome.exit_code})")
    info(f"# metrics: {m.records_in} in, {m.records_out} out, {m.filtered} filtered, "
         f"{m.errors} errors, {m.bytes} bytes")
    for record, reason in outcome.failed:
        info(f"# not delivered, offset {record.offset}: {reason}")
    for offset, message in outcome.errors:
        info(f"# error{f' at offset {offset}' if offset is not None else ''}: {message}")
    if logs and outcome.logs:
        info("# log:")
        for line in outcome.logs:
            info("  " + line)


@click.command("types")
@click.option("-O", "--output", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
def types(output: str) -> None:
    """List the connector types installed: Weir's own, plugins, and those that failed."""
    from runtime.config import connector_types as ct
    from runtime.connectors import registry

    registry.on_failure = lambda failure: None  # listed below, not warned about as well
    failures = registry.failures
    rows = [{"type": t.name, "kind": t.kind, "runnable": t.runnable, "from": t.origin,
             "summary": t.summary} for t in ct.types().values()]
    broken = [{"type": f.name, "target": f.target, "from": f.dist, "error": f.error}
              for f in failures()]
    if output == "json":
        print_json({"types": rows, "failed": broken})
        raise click.exceptions.Exit(1 if broken else 0)
    width = max(len(r["type"]) for r in rows) + 2
    click.echo(f"{'TYPE':<{width}}{'KIND':<8}{'FROM':<18}SUMMARY")
    for r in rows:
        origin = r["from"] if r["runnable"] else "checked only"
        click.echo(f"{r['type']:<{width}}{r['kind']:<8}{origin:<18}{r['summary']}")
    for b in broken:
        click.echo(f"{b['type']:<{width}}{'?':<8}{b['from']:<18}FAILED: {b['error']}")
    if broken:
        raise click.exceptions.Exit(1)
