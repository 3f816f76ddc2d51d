"""`weir connector dev CONFIG`: `connector test` again on every save, showing what changed.

Watched: the config, the samples file (`--file`), and the plugin's package (its *.py and
*.toml files) when the config's type comes from a plugin. Each run is `weir connector test
-O json` in a fresh process, so edited plugin code is imported anew. Like `smartmodule
dev`, a failure is shown and the loop waits for the next save; only Ctrl-C ends it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import click

from runtime.human import plural
from tui.cli.output import info
from tui.cli.params import Count, Duration


@dataclass
class ConnectorDev:
    config: Path
    test_args: list[str]
    emit: Callable[[str], None]
    watch_dir: Path | None = None
    samples: Path | None = None
    previous: dict | None = None
    runs: int = 0

    def __post_init__(self) -> None:
        from smartmodules.devloop import SourceWatcher

        files = [self.config, *([self.samples] if self.samples else [])]
        self.watcher = SourceWatcher(self.watch_dir, extra=files, suffixes=(".py", ".toml"))

    def run_once(self) -> dict | None:
        cmd = [sys.executable, "-m", "tui.cli.main", "connector", "test", str(self.config),
               "-O", "json", *self.test_args]
        done = subprocess.run(cmd, capture_output=True, text=True)
        self.runs += 1
        try:
            outcome = json.loads(done.stdout)
        except ValueError:
            outcome = None
        if not isinstance(outcome, dict) or "records" not in outcome:
            self.emit(f"run {self.runs}: the test did not run (exit {done.returncode})")
            error = (outcome or {}).get("error") if isinstance(outcome, dict) else None
            lines = ([error.get("message", ""), *([f"hint: {error['hint']}"]
                                                   if error.get("hint") else [])]
                     if isinstance(error, dict) else done.stderr.strip().splitlines())
            for line in lines:
                self.emit(f"  {line}")
            self.emit("waiting for changes...")
            return None
        self.report(outcome)
        self.previous = outcome
        return outcome

    def report(self, outcome: dict) -> None:
        from smartmodules.devloop import diff_outputs

        lines = [r["value"] for r in outcome["records"]]
        count = plural(len(lines), "record") if outcome["kind"] == "source" \
            else f"{len(lines)} delivered"
        head = (f"[{time.strftime('%H:%M:%S')}] run {self.runs}: {count}, "
                f"ended: {outcome['ended']}, {outcome['seconds']}s")
        if self.previous is None:
            self.emit(head)
            for n, line in enumerate(lines, 1):
                self.emit(f"  {n:>3}  {line}")
        else:
            old = [r["value"] for r in self.previous["records"]]
            changes = diff_outputs(old, lines)
            if not changes:
                self.emit(f"{head}; output unchanged")
            for c in changes:
                if c.kind == "changed":
                    self.emit(f"~ {c.new_line:>3}  {c.old}  ->  {c.new}")
                elif c.kind == "added":
                    self.emit(f"+ {c.new_line:>3}  {c.new}")
                else:
                    self.emit(f"- {c.old_line:>3}  {c.old}")
            if changes:
                self.emit(f"{head}; {plural(len(changes), 'line')} differ")
        for failed in outcome["failed"]:
            self.emit(f"  not delivered, offset {failed['offset']}: {failed['reason']}")
        old_errors = [e["message"] for e in (self.previous or {}).get("errors", [])]
        errors = [e["message"] for e in outcome["errors"]]
        for message in errors:
            self.emit(f"  error{' (unchanged)' if message in old_errors else ''}: {message}")
        if old_errors and not errors:
            self.emit("  errors fixed")

    def step(self) -> bool:
        changed = self.watcher.changed()
        if not changed:
            return False
        self.emit("changed: " + ", ".join(p.name for p in changed))
        self.run_once()
        return True

    def run(self, *, interval: float, stop: threading.Event | None = None) -> None:
        stop = stop or threading.Event()
        self.run_once()
        self.emit("watching for changes (Ctrl-C to stop)")
        while not stop.wait(interval):
            self.step()


def plugin_dir(config: Path, secrets: str | None) -> Path | None:
    """The project directory of the plugin providing the config's type (None for Weir's
    own types, or when the type is not installed yet)."""
    import inspect

    from runtime.config.load import load_connector
    from runtime.connectors.registry import OWN_DIST, discover
    from runtime.errors import WeirError

    try:
        spec = load_connector(config, secrets_file=secrets)
    except WeirError:
        return None
    found = discover().classes.get(spec.type)
    if found is None or found[1] == OWN_DIST:
        return None
    source = Path(inspect.getsourcefile(found[0]) or "").resolve()
    for parent in source.parents:
        if (parent / "pyproject.toml").is_file():
            return parent
    return source.parent


@click.command("dev")
@click.argument("config", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--secrets", type=click.Path(dir_okay=False), help="Secrets file.")
@click.option("-n", "--records", "max_records", type=Count(1, 1_000_000, "records"),
              default=10, show_default=True, help="A source: records per run.")
@click.option("-t", "--time-limit", type=Duration(example="5s"), default="5s",
              show_default=True, help="Each run stops after this long.")
@click.option("--text", help="A sink: one sample record with this value.")
@click.option("--file", "file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="A sink: sample records, one per line (rerun when it changes too).")
@click.option("--interval", type=click.FloatRange(0.05, 60), default=0.5, show_default=True,
              help="Seconds between checks for changes.")
@click.option("--once", is_flag=True, help="Run once, then exit (1 on errors).")
def dev(config: Path, secrets: str | None, max_records: int, time_limit: int,
        text: str | None, file: Path | None, interval: float, once: bool) -> None:
    """Run `connector test` on CONFIG on every save of it, the samples or the plugin's
    package, and show which records changed since the last run. Ctrl-C stops."""
    args = ["-n", str(max_records), "-t", f"{time_limit}ms", "--no-logs"]
    if secrets:
        args += ["--secrets", secrets]
    if text is not None:
        args += ["--text", text]
    if file is not None:
        args += ["--file", str(file.resolve())]

    def emit(line: str) -> None:
        click.echo(line)
        sys.stdout.flush()

    watch = plugin_dir(config, secrets)
    if watch is not None:
        info(f"watching the plugin at {watch}")
    loop = ConnectorDev(config.resolve(), args, emit, watch_dir=watch,
                        samples=file.resolve() if file else None)
    if once:
        outcome = loop.run_once()
        if outcome is None or outcome["errors"] or outcome["failed"] or outcome["exit_code"]:
            raise click.exceptions.Exit(1)
        return
    try:
        loop.run(interval=interval)
    except KeyboardInterrupt:
        info("stopped")
