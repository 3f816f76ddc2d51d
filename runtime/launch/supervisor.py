"""The supervisor behind managed connectors: one OS process per connector, restarted with
exponential backoff after a crash, `Failed` after too many fast crashes.

Each connector runs `python -m runtime.connectors.run_main --config ... --name ...` with
WEIR_HOME and WEIR_PROFILE pinned to the profile it was created with, so switching the
active profile never moves a running connector's output. Everything the supervisor knows
is persisted (runtime.launch.records), so a restarted cluster brings every connector back,
and they resume from the offsets they committed.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from runtime.connectors import telemetry
from runtime.errors import EXIT_DISK_FULL, NotFound, WeirError, os_problem
from runtime.launch import records as rec
from runtime.launch.layout import cluster_dir
from runtime.launch.policy import RestartPolicy
from runtime.launch.processes import cmdline, describe_exit, pid_alive, terminate
from runtime.launch.records import ConnectorRecord
from runtime.private_files import open_private_append, write_private_atomic

RUN_MODULE = "runtime.connectors.run_main"
OUTPUT_LOG_LIMIT = 5_000_000  # bytes kept of a connector's stdout/stderr between starts
POLL_S = 0.1


class ConnectorExists(WeirError):
    """Create with a name already in use."""


@dataclass(slots=True)
class _Live:
    """Supervisor-only state of one connector (not persisted)."""

    proc: subprocess.Popen | None = None
    output_offset: int = 0
    stopping: bool = False
    next_start: float | None = None  # monotonic time of the pending restart
    fast_crashes: int = 0
    disk_full_runs: int = 0  # runs in a row that ended on a full disk (never Failed)
    started_mono: float = 0.0
    secret_values: tuple[str, ...] = ()
    exited: threading.Event = field(default_factory=threading.Event)


def _now_iso() -> str:
    now = time.time()
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z"


class Supervisor:
    """Thread-safe: the API calls it from worker threads, a monitor thread reaps exits."""

    def __init__(self, home: Path, policy: RestartPolicy | None = None,
                 command: Callable[[ConnectorRecord], list[str]] | None = None) -> None:
        self.home = home
        self.policy = policy or RestartPolicy.from_env()
        self._command = command or self._run_main_command
        self._lock = threading.RLock()
        self._records: dict[str, ConnectorRecord] = {}
        self._live: dict[str, _Live] = {}
        self._closing = threading.Event()
        self._monitor: threading.Thread | None = None
        # records a full disk kept from being saved: saved again each tick until it works
        self._unsaved: dict[str, OSError] = {}

    # ---- lifecycle of the supervisor itself -------------------------------------------

    def restore(self) -> None:
        """Load every persisted connector; start those that should run; reap orphans a
        killed daemon left behind so no connector ever runs twice."""
        for record in rec.load_all(self.home):
            self._reap_orphan(record)
            with self._lock:
                self._records[record.name] = record
                self._live[record.name] = _Live(secret_values=self._secret_values(record))
                if record.pid is not None:  # its last run was never reaped
                    fold_metrics(record, self.home)
                record.pid = None
                if record.desired == "running" and record.status != rec.FAILED:
                    self._spawn(record, reason="cluster started")
                elif record.status in (rec.RUNNING, rec.STARTING, rec.RESTARTING):
                    record.note(rec.STOPPED, "cluster started; connector was stopped")
                    self._save(record)
        self._monitor = threading.Thread(target=self._watch, name="supervisor", daemon=True)
        self._monitor.start()

    def shutdown(self) -> None:
        """Stop every connector gracefully but keep `desired`, so the next start brings
        back exactly the ones that were running."""
        self._closing.set()
        with self._lock:
            names = [n for n, live in self._live.items() if live.proc is not None]
            for name in names:
                self._signal_stop(name)
        self._await_exits(names)
        with self._lock:
            for record in self._records.values():
                if record.status == rec.RESTARTING:
                    record.note(rec.STOPPED, "cluster stopped")
                    self._save(record)
        if self._monitor is not None:
            self._monitor.join(timeout=2)

    # ---- the API's verbs --------------------------------------------------------------

    def create(self, *, config_text: str, secrets_text: str | None, profile: str,
               cwd: str, source_path: str | None) -> ConnectorRecord:
        """Validate the config as stored, persist it, and start it."""
        from runtime.config.load import load_connector

        # A fresh 0700 directory, its files 0600 from their first byte.
        staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=cluster_dir(self.home)))
        try:
            config_file = staging / "config.yaml"
            secrets_file = staging / "secrets"
            write_private_atomic(config_file, config_text)
            write_private_atomic(secrets_file, secrets_text or "")
            spec = load_connector(config_file, secrets_file=secrets_file if secrets_text else None,
                                  env={})
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        with self._lock:
            if spec.name in self._records:
                raise ConnectorExists(
                    f"connector `{spec.name}` already exists",
                    hint=f"delete it first (`weir connector delete {spec.name}`) or pick "
                    "another name",
                )
            record = ConnectorRecord(
                name=spec.name, type=spec.type, kind=spec.kind, topic=spec.topic,
                profile=profile, cwd=cwd, source_path=source_path,
            )
            rec.write_spec_files(spec.name, config_text, secrets_text, self.home)
            self._records[spec.name] = record
            self._live[spec.name] = _Live(secret_values=tuple(spec.secret_values))
            self._reset_telemetry(spec.name)
            self._event(spec.name, "create", f"profile {profile}", topic=spec.topic)
            self._spawn(record, reason="created")
            return self._copy(record)

    def delete(self, name: str) -> None:
        self.stop(name)
        with self._lock:
            self._records.pop(name, None)
            self._live.pop(name, None)
            rec.remove_record(name, self.home)
            shutil.rmtree(self.home / "connectors" / name, ignore_errors=True)

    def stop(self, name: str) -> ConnectorRecord:
        with self._lock:
            record = self._get(name)
            record.desired = "stopped"
            live = self._live[name]
            live.next_start = None
            running = self._signal_stop(name)
            if not running and record.status != rec.STOPPED:
                record.note(rec.STOPPED, "stopped by the user")
            self._save(record)
        if running:
            self._await_exits([name])
        with self._lock:
            unsaved = self._unsaved.get(name)
            if unsaved is not None:
                problem = os_problem(unsaved, "save its state in")
                raise type(problem)(f"connector `{name}` is stopped, but {problem.message}; "
                                    "until that is saved, a cluster restart starts it again",
                                    hint=problem.hint)
            return self._copy(self._get(name))

    def start(self, name: str, *, reason: str = "started by the user") -> ConnectorRecord:
        with self._lock:
            record = self._get(name)
            record.desired = "running"
            live = self._live[name]
            if live.proc is None:
                live.fast_crashes = 0
                live.next_start = None
                self._spawn(record, reason=reason)
            else:
                self._save(record)
            return self._copy(record)

    def restart(self, name: str) -> ConnectorRecord:
        self.stop(name)
        return self.start(name, reason="restarted by the user")

    def get(self, name: str) -> ConnectorRecord:
        with self._lock:
            return self._copy(self._get(name))

    def list(self) -> list[ConnectorRecord]:
        with self._lock:
            return [self._copy(r) for _, r in sorted(self._records.items())]

    def secret_values(self, name: str) -> tuple[str, ...]:
        with self._lock:
            self._get(name)
            return self._live[name].secret_values

    def pid(self, name: str) -> int | None:
        with self._lock:
            proc = self._live[self._get(name).name].proc
            return proc.pid if proc is not None else None

    # ---- internals (call with the lock held unless said otherwise) --------------------

    def _get(self, name: str) -> ConnectorRecord:
        try:
            return self._records[name]
        except KeyError:
            damaged = rec.record_problem(name, self.home)
            if damaged is not None:
                raise WeirError(f"managed connector `{name}` has a damaged record "
                                f"({damaged.message})",
                                hint=f"`weir connector delete {name}` removes it; then "
                                     "create it again") from None
            known = ", ".join(sorted(self._records)) or "none"
            raise NotFound(
                f"managed connector `{name}` not found",
                hint=f"managed connectors: {known}; `weir connector list` shows all",
            ) from None

    @staticmethod
    def _copy(record: ConnectorRecord) -> ConnectorRecord:
        return ConnectorRecord(**{k: getattr(record, k) for k in record.__dataclass_fields__})

    def _run_main_command(self, record: ConnectorRecord) -> list[str]:
        command = [sys.executable, "-m", RUN_MODULE,
                   "--config", str(rec.config_path(record.name, self.home)),
                   "--name", record.name]
        secrets = rec.secrets_path(record.name, self.home)
        if secrets.exists() and secrets.stat().st_size:
            command += ["--secrets", str(secrets)]
        return command

    def _secret_values(self, record: ConnectorRecord) -> tuple[str, ...]:
        from runtime.launch.describe import secret_values_for

        return secret_values_for(record.name, self.home)

    def _env(self, record: ConnectorRecord) -> dict[str, str]:
        env = dict(os.environ)
        env["WEIR_HOME"] = str(self.home)
        env["WEIR_PROFILE"] = record.profile
        env["WEIR_MANAGED"] = "1"
        env.setdefault("PYTHONUNBUFFERED", "1")
        return env

    def _reset_telemetry(self, name: str) -> None:
        directory = self.home / "connectors" / name
        for leftover in ("metrics.json", "events.jsonl", "connector.log"):
            (directory / leftover).unlink(missing_ok=True)

    def log(self, name: str, message: str) -> None:
        """A supervisor line in the connector's own log, so `logs` tells the whole story.
        Best effort: a full disk loses the line (the daemon's log says so), never the
        supervision."""
        line = f"{_now_iso()} INFO  supervisor: {message}\n"
        path = telemetry.log_path(name, self.home)
        try:
            with open_private_append(path) as handle:
                handle.write(line.encode())
        except OSError as exc:
            _daemon_note(name, f"cannot write {path} ({exc.strerror}): {message}")

    def _event(self, name: str, kind: str, message: str, **fields) -> None:
        """A lifecycle event, best effort as `log` is."""
        try:
            telemetry.record_event(name, kind, message, home=self.home, **fields)
        except OSError as exc:
            _daemon_note(name, f"cannot record the {kind} event ({exc.strerror}): {message}")

    def _save(self, record: ConnectorRecord) -> OSError | None:
        """Persist `record`; on failure (a full disk) keep it in memory, remember it, and
        return the error: the monitor saves it again each tick until it works."""
        try:
            rec.save_record(record, self.home)
        except OSError as exc:
            if record.name not in self._unsaved:
                _daemon_note(record.name, f"cannot save its record: {exc}; retrying")
            self._unsaved[record.name] = exc
            return exc
        self._unsaved.pop(record.name, None)
        return None

    def _save_pending(self) -> None:
        for name in list(self._unsaved):
            record = self._records.get(name)
            if record is None:
                self._unsaved.pop(name, None)
            elif self._save(record) is None:
                _daemon_note(name, "record saved again")

    def _spawn(self, record: ConnectorRecord, *, reason: str) -> None:
        live = self._live[record.name]
        out_path = rec.output_path(record.name, self.home)
        if out_path.exists() and out_path.stat().st_size > OUTPUT_LOG_LIMIT:
            out_path.unlink()
        cwd = record.cwd if Path(record.cwd).is_dir() else str(self.home)
        try:
            with open_private_append(out_path) as out:
                live.output_offset = out.tell()
                proc = subprocess.Popen(
                    self._command(record), stdin=subprocess.DEVNULL, stdout=out,
                    stderr=subprocess.STDOUT, cwd=cwd, env=self._env(record),
                    start_new_session=True,
                )
        except OSError as exc:
            record.last_error = f"cannot start the connector process: {exc}"
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):  # the disk: try again later
                self._retry_after_disk_full(record, live, record.last_error)
                self._save(record)
                return
            record.note(rec.FAILED, record.last_error)
            self._event(record.name, "failed", record.last_error)
            self._save(record)
            return
        live.proc = proc
        live.stopping = False
        live.next_start = None
        live.started_mono = time.monotonic()
        live.exited.clear()
        record.pid = proc.pid
        record.started_at = time.time()
        record.begin_run()
        record.note(rec.RUNNING, reason)
        self.log(record.name, f"started pid {proc.pid} with profile `{record.profile}` "
                              f"({reason})")
        self._save(record)

    def _signal_stop(self, name: str) -> bool:
        """Ask the process to stop (SIGTERM: flush, commit, exit). False if none runs."""
        live = self._live[name]
        if live.proc is None:
            return False
        live.stopping = True
        try:
            live.proc.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass
        return True

    def _await_exits(self, names: list[str]) -> None:
        """Without the lock: wait for the processes to exit, SIGKILL the stubborn ones."""
        deadline = time.monotonic() + self.policy.stop_timeout_s
        for name in names:
            with self._lock:
                live = self._live.get(name)
                proc = live.proc if live else None
            if proc is None:
                continue
            try:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with self._lock:
                    self.log(name, f"pid {proc.pid} ignored SIGTERM for "
                                   f"{self.policy.stop_timeout_s:g}s; killing it")
                proc.kill()
                proc.wait()
            with self._lock:
                if name in self._records:
                    self._reap(name)

    def _watch(self) -> None:
        """The monitor loop. One connector's trouble (a full disk while saving its record)
        is reported in the daemon's log and never ends supervision of the others."""
        while not self._closing.is_set():
            with self._lock:
                now = time.monotonic()
                try:
                    self._save_pending()
                except Exception as exc:  # noqa: BLE001 - never end supervision
                    _daemon_note("(records)", f"{type(exc).__name__}: {exc}")
                for name, live in list(self._live.items()):
                    try:
                        self._tick(name, live, now)
                    except Exception as exc:  # noqa: BLE001 - keep supervising the rest
                        _daemon_note(name, f"{type(exc).__name__}: {exc}")
            self._closing.wait(POLL_S)

    def _tick(self, name: str, live: _Live, now: float) -> None:
        if live.proc is not None and live.proc.poll() is not None:
            self._reap(name)
        elif (live.proc is None and live.next_start is not None and live.next_start <= now
              and not self._closing.is_set()):
            live.next_start = None
            record = self._records[name]
            record.restarts += 1
            self._event(name, "restart", f"restart #{record.restarts}")
            self._spawn(record, reason=f"restart #{record.restarts} after a crash")

    def _reap(self, name: str) -> None:
        """Handle a process that exited: stopped, finished, or crashed (maybe restart)."""
        live = self._live[name]
        record = self._records[name]
        proc = live.proc
        if proc is None:
            return
        code = proc.wait()
        live.proc = None
        live.exited.set()
        fold_metrics(record, self.home)
        record.pid = None
        record.last_exit = code
        ran_s = time.monotonic() - live.started_mono
        if live.stopping:
            live.stopping = False
            message = "stopped" if not self._closing.is_set() else "cluster stopped"
            record.note(rec.STOPPED, f"{message} ({describe_exit(code)})")
            self.log(name, f"pid {proc.pid} {message} ({describe_exit(code)})")
        elif code == 0:
            record.desired = "stopped"
            record.note(rec.FINISHED, "exited on its own with code 0")
            self.log(name, f"pid {proc.pid} finished (exit code 0)")
        elif code == EXIT_DISK_FULL and not self._closing.is_set():
            record.last_error = self._last_error(name, live, code)
            self._retry_after_disk_full(record, live, record.last_error)
        else:
            error = self._last_error(name, live, code)
            record.last_error = error
            live.fast_crashes = live.fast_crashes + 1 if ran_s < self.policy.fast_run_s else 1
            live.disk_full_runs = 0
            self._event(name, "crash", f"{describe_exit(code)}: {error}")
            self.log(name, f"pid {proc.pid} {describe_exit(code)} after {ran_s:.1f}s: {error}")
            if live.fast_crashes >= self.policy.max_fast_crashes:
                message = (f"{live.fast_crashes} crashes in a row, each within "
                           f"{self.policy.fast_run_s:g}s of starting; last error: {error}")
                record.note(rec.FAILED, message)
                self._event(name, "failed", message)
                self.log(name, f"giving up: {message}")
            elif self._closing.is_set():
                record.note(rec.STOPPED, "crashed while the cluster stopped")
            else:
                delay = self.policy.backoff(live.fast_crashes)
                live.next_start = time.monotonic() + delay
                record.note(rec.RESTARTING, f"{describe_exit(code)}; restarting in {delay:g}s")
                self.log(name, f"restarting in {delay:g}s")
        self._save(record)

    def _retry_after_disk_full(self, record: ConnectorRecord, live: _Live, error: str) -> None:
        """A full disk is the machine's fault and passes when space is freed: restart with
        backoff for as long as it lasts, never counting it toward Failed."""
        live.disk_full_runs += 1
        delay = self.policy.backoff(live.disk_full_runs)
        live.next_start = time.monotonic() + delay
        record.note(rec.RESTARTING, f"the disk is full; restarting in {delay:g}s ({error})")
        self.log(record.name, f"the disk is full ({error}); restarting in {delay:g}s")

    def _last_error(self, name: str, live: _Live, code: int) -> str:
        """Why this run ended: the signal that killed it, else the error the connector
        reported during this run, else the last line it printed (a traceback's last line),
        secrets masked."""
        if code < 0:
            return describe_exit(code)
        record = self._records[name]
        metrics = telemetry.read_metrics(name, self.home)
        if metrics.last_error and record.started_at and metrics.updated_at >= record.started_at:
            return metrics.last_error[:500]
        path = rec.output_path(name, self.home)
        try:
            with open(path, "rb") as handle:
                handle.seek(max(live.output_offset, path.stat().st_size - 64_000))
                tail = handle.read().decode(errors="replace")
        except OSError:
            tail = ""
        lines = [line.strip() for line in tail.splitlines() if line.strip()]
        # run_main prints `error: ...` then indented diagnostics and hints: keep them.
        start = max((i for i, line in enumerate(lines) if line.startswith("error:")),
                    default=len(lines) - 1)
        text = " ".join(lines[start:]) if lines else describe_exit(code)
        for value in sorted(live.secret_values, key=len, reverse=True):
            text = text.replace(value, "*****")
        return text[:500]

    def _reap_orphan(self, record: ConnectorRecord) -> None:
        """A daemon killed hard leaves its connectors running: stop them before starting
        new ones, so their offsets are committed and nothing runs twice."""
        pid = orphan_pid(record)
        if pid is not None:
            self.log(record.name, f"stopping pid {pid}, left running by a cluster that "
                                  "was killed")
            terminate(pid, self.policy.stop_timeout_s)


def _daemon_note(name: str, message: str) -> None:
    """A line in the daemon's log (its stderr), for what the connector's own log missed;
    lost when that log is on the full disk too (a print must not end the monitor)."""
    with contextlib.suppress(OSError):
        print(f"supervisor: {name}: {message}", file=sys.stderr, flush=True)


def fold_metrics(record: ConnectorRecord, home: Path) -> None:
    """Add the counters of the run that just ended to the connector's lifetime totals
    (each run of the connector process starts counting from zero)."""
    metrics = telemetry.read_metrics(record.name, home)
    if not metrics.started_at or not record.started_at or metrics.started_at < record.started_at:
        return  # the run never wrote metrics (it died at start)
    for key in rec.COUNTERS:
        record.totals[key] = record.totals.get(key, 0) + int(getattr(metrics, key) or 0)


def orphan_pid(record: ConnectorRecord) -> int | None:
    """The pid of this connector's process if it still runs without a daemon."""
    pid = record.pid
    if not pid or not pid_alive(pid):
        return None
    args = cmdline(pid)
    if RUN_MODULE in args and record.name in args:
        return pid
    return None
