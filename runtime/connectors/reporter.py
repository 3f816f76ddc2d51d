"""One running connector's voice: masked log lines, lifecycle events and live counters.

Everything goes through `runtime.connectors.telemetry` (the files `list`, `describe`,
`logs` and the TUI read) and, when run in the foreground, also to the terminal. Every
line passes `runtime.config.secrets.mask` first, so a resolved secret never reaches a
file or a screen.
"""

from __future__ import annotations

import itertools
import logging
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from runtime.config.secrets import mask
from runtime.config.spec import ConnectorSpec
from runtime.connectors import telemetry
from runtime.private_files import open_private_append

_LEVELS = {
    "trace": logging.DEBUG,
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warn": logging.WARNING,
    "warning": logging.WARNING,
    "error": logging.ERROR,
    "off": logging.CRITICAL + 10,
}
_ids = itertools.count()
METRICS_PERIOD_S = 1.0


def log_level(text: str | None) -> int:
    """`rust-log` style (`info`, `debug,hyper=warn`): the first bare level wins."""
    for part in (text or "info").lower().split(","):
        part = part.strip()
        if "=" not in part and part in _LEVELS:
            return _LEVELS[part]
    return logging.INFO


class _MaskingFormatter(logging.Formatter):
    def __init__(self, secrets: tuple[str, ...], fmt: str, utc_ms: bool) -> None:
        super().__init__(fmt)
        self.secrets = secrets
        self.utc_ms = utc_ms

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:  # noqa: N802
        moment = datetime.fromtimestamp(record.created, UTC)
        if self.utc_ms:
            return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{int(record.msecs):03d}Z"
        return moment.astimezone().strftime("%H:%M:%S")

    def format(self, record: logging.LogRecord) -> str:
        return mask(super().format(record), list(self.secrets))


class Reporter:
    """Logs, events and metrics of one connector run."""

    def __init__(
        self, spec: ConnectorSpec, *, console: bool = False, home: Path | None = None
    ) -> None:
        self.name = spec.name
        self.topic = spec.topic
        self.home = home
        self.secrets = tuple(s for s in spec.secret_values if s)
        self.metrics = telemetry.Metrics(started_at=time.time())
        # the last offset produced (source) or committed (sink), for the stop event
        self.last_offset: int | None = None
        self._last_flush = 0.0
        self.logger = logging.getLogger(f"weir.connector.{spec.name}.{next(_ids)}")
        self.logger.propagate = False
        self.logger.setLevel(log_level(spec.log_level))
        path = telemetry.log_path(spec.name, home)
        open_private_append(path).close()  # created 0600 here; FileHandler appends to it
        file_handler = logging.FileHandler(path, encoding="utf-8")
        file_handler.setFormatter(
            _MaskingFormatter(self.secrets, "%(asctime)s %(levelname)-5s %(message)s", True)
        )
        self._handlers: list[logging.Handler] = [file_handler]
        if console:
            term = logging.StreamHandler(sys.stderr)
            term.setFormatter(
                _MaskingFormatter(self.secrets, "%(asctime)s %(levelname)-5s %(message)s", False)
            )
            self._handlers.append(term)
        for handler in self._handlers:
            self.logger.addHandler(handler)

    def mask(self, text: str) -> str:
        return mask(text, list(self.secrets))

    # log lines
    def debug(self, message: str) -> None:
        self.logger.debug(message)

    def info(self, message: str) -> None:
        self.logger.info(message)

    def warning(self, message: str) -> None:
        self.logger.warning(message)

    # events
    def event(self, kind: str, message: str = "", *, offset: int | None = None) -> None:
        telemetry.record_event(
            self.name, kind, self.mask(message), topic=self.topic, offset=offset, home=self.home
        )

    def error(self, message: str, *, offset: int | None = None, count: bool = True,
              where: str = "offset") -> None:
        """A record-level or connection-level problem: logged, counted, kept as last error.
        `where` names what `offset` counts: a topic offset, or a source's input record."""
        text = self.mask(message)
        where = f" ({where} {offset})" if offset is not None else ""
        self.logger.error(text + where)
        if count:
            self.metrics.errors += 1
        self.metrics.last_error = text + where
        self.event("error", text, offset=offset)

    # counters
    def flush_metrics(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last_flush >= METRICS_PERIOD_S:
            self._last_flush = now
            telemetry.write_metrics(self.name, self.metrics, self.home)

    def close(self) -> None:
        self.flush_metrics(force=True)
        for handler in self._handlers:
            self.logger.removeHandler(handler)
            handler.close()
