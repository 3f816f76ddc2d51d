"""Run one connector in this process until it is stopped: the one entry point every
launcher uses (foreground `connector run`, `run_main` for the supervisor and Docker)."""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
from contextlib import contextmanager, suppress

from runtime.config.spec import ConnectorSpec
from runtime.connectors.base import ConnectorContext, ErrorPolicy, StopSignal
from runtime.connectors.registry import connector_class
from runtime.connectors.reporter import Reporter
from runtime.errors import (
    EXIT_DISK_FULL,
    EXIT_FAILED,
    EXIT_OK,
    DiskFull,
    NotFound,
    WeirError,
    os_problem,
)
from runtime.human import plural
from runtime.topics.store import TopicSpec, TopicStore

EXIT_INTERRUPTED = 130


def error_policy(spec: ConnectorSpec) -> ErrorPolicy:
    """`skip` (default: log, count, go on) or `stop`: `meta.on-error` (current format) or
    the `on-error` common parameter (legacy), as the loader put it in `spec.on_error`."""
    given = {str(k).replace("_", "-"): v for k, v in spec.parameters.items()}.get("on-error")
    value = str(given if given is not None else spec.on_error or "skip").strip().lower()
    if value not in ("skip", "stop"):
        raise WeirError(
            f"connector `{spec.name}`: on-error is {value!r}, expected skip or stop"
        )
    return value  # type: ignore[return-value]


def run_connector(
    spec: ConnectorSpec,
    *,
    store: TopicStore | None = None,
    stop_event: threading.Event | None = None,
    console: bool = False,
    handle_signals: bool = True,
) -> int:
    """Run until `stop_event` is set (or SIGTERM/SIGINT when on the main thread) or the
    source is exhausted. Returns the exit code: 0 stopped cleanly, 1 failed."""
    reporter = Reporter(spec, console=console)
    stop = StopSignal(stop_event)
    own_store = store is None
    code = EXIT_FAILED
    reporter.event("start", f"{spec.type} connector `{spec.name}` starting")
    try:
        with _signals(stop, reporter, enabled=handle_signals):
            if store is None:
                from runtime.topics import open_store

                store = open_store()
            with asyncio.Runner() as runner:
                runner.get_loop().set_exception_handler(_quiet_interrupt)
                code = runner.run(_run(spec, store, reporter, stop))
    except DiskFull as exc:
        code = EXIT_DISK_FULL
        _report_quietly(reporter, exc.message + (f" ({exc.hint})" if exc.hint else ""))
    except WeirError as exc:
        message = exc.message + (f" ({exc.hint})" if exc.hint else "")
        reporter.error(message)
        code = exc.exit_code or EXIT_FAILED
    except OSError as exc:  # writing its log, metrics or files: the machine, not the config
        problem = os_problem(exc)
        code = EXIT_DISK_FULL if isinstance(problem, DiskFull) else EXIT_FAILED
        _report_quietly(reporter, problem.message)
    except KeyboardInterrupt:
        reporter.error("stopped at once: buffered records were not flushed; undelivered "
                       "records stay uncommitted and come again on the next start",
                       count=False)
        code = EXIT_INTERRUPTED
    except Exception as exc:  # noqa: BLE001 - a connector failure is reported, not raised
        reporter.error(f"connector failed: {type(exc).__name__}: {exc}")
        code = EXIT_FAILED
    finally:
        if own_store and store is not None:
            store.close()
        m = reporter.metrics
        summary = (f"stopped (exit {code}): {m.records_in} in, {m.records_out} out, "
                   f"{m.filtered} filtered, {m.errors} errors")
        try:
            reporter.info(summary)
            reporter.event("stop" if code == EXIT_OK else "failed", summary,
                           offset=reporter.last_offset)
            reporter.close()
        except OSError as exc:  # a full disk: the exit code says what happened
            with suppress(OSError):
                print(f"{summary}; {os_problem(exc).message}", file=sys.stderr)
    return code


def _report_quietly(reporter: Reporter, message: str) -> None:
    """Report an error where the disk may be full: to the log if it can still be written,
    always to stderr (the supervisor keeps that apart, and reads the last line)."""
    with suppress(OSError):  # (stderr may be a file on the full disk too)
        print(f"error: {message}", file=sys.stderr, flush=True)
    with suppress(OSError):
        reporter.error(message)


def _quiet_interrupt(loop: asyncio.AbstractEventLoop, context: dict) -> None:
    """A second signal raises KeyboardInterrupt in whichever task runs; asyncio would then
    print that task's traceback ("exception was never retrieved") although the runner has
    reported the stop. Everything else goes to asyncio's default handler."""
    if isinstance(context.get("exception"), KeyboardInterrupt):
        return
    loop.default_exception_handler(context)


async def _run(spec: ConnectorSpec, store: TopicStore, reporter: Reporter,
               stop: StopSignal) -> int:
    cls, kind = connector_class(spec.type)
    ctx = ConnectorContext(spec, reporter, error_policy(spec), stop)
    connector = cls(ctx)
    _ensure_topic(spec, store, reporter)
    reporter.info(f"{spec.type} `{spec.name}` {'->' if kind == 'source' else '<-'} "
                  f"topic `{spec.topic}` (on-error: {ctx.policy})")
    if kind == "source":
        from runtime.connectors.source_pipeline import run_source

        return await run_source(ctx, connector, store)
    from runtime.connectors.sink_pipeline import run_sink

    return await run_sink(ctx, connector, store)


def _ensure_topic(spec: ConnectorSpec, store: TopicStore, reporter: Reporter) -> None:
    try:
        store.describe_topic(spec.topic)
        return
    except NotFound:
        pass
    opts = spec.topic_options
    store.create_topic(
        TopicSpec(spec.topic, opts.partitions, opts.retention_ms, opts.segment_bytes),
        exist_ok=True,
    )
    reporter.info(f"created topic `{spec.topic}` ({plural(opts.partitions, 'partition')})")


@contextmanager
def _signals(stop: StopSignal, reporter: Reporter, *, enabled: bool):
    """SIGTERM and SIGINT set the stop signal (graceful: flush, commit, exit 0); a second
    one stops at once. Once a signal has stopped the run, later ones are ignored: the
    process is on its way out, writing its summary and removing its files, and a signal
    then must not cut that short."""
    if not enabled or threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum, _frame) -> None:
        name = signal.Signals(signum).name
        if stop.is_set():
            raise KeyboardInterrupt(name)  # the second one: stop now, without the grace
        # set before logging: a second signal can run this handler again in the middle
        # of the first one's logging, and must then find the stop already asked for
        stop.set()
        signalled.append(name)
        reporter.info(f"received {name}: stopping (again to stop at once)")

    signalled: list[str] = []
    previous = {s: signal.signal(s, handler) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, signal.SIG_IGN if signalled else h)
