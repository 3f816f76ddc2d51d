"""The connector kit: what a connector type is, for Weir's built-ins and plugins alike.

A connector type is one class, published under the `weir.connectors` entry-point group:

    [project.entry-points."weir.connectors"]
    acme-orders-source = "acme_orders:OrdersSource"

It names its `type` (`acme-orders-source`; `*-source` or `*-sink`), its `Params` (a
pydantic model: field descriptions, defaults, `Secret` fields), and implements `run(emit)`
(a source) or `deliver(records)` / `write(record)` (a sink). Weir's config validation,
JSON Schema, `config new`, the Editor's completion, `connector test`, the supervisor and the
Docker image all read the same class, and the pipeline around it (batching, linger,
retries, at-least-once offsets, metrics, masked logs, graceful stop) is the one the
built-ins run on: the built-ins are registered exactly this way (Weir's pyproject).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, BeforeValidator, Field, WithJsonSchema

from runtime.config.connector_types import SECRET_REF_SCHEMA, secret_or
from runtime.config.fields import ByteSize, Duration, Str
from runtime.config.models import Strict
from runtime.config.values import parse_duration
from runtime.connectors.backoff import Backoff
from runtime.connectors.base import ConnectorContext, Delivery, Emit, StopSignal
from runtime.errors import WeirError
from runtime.human import plural
from runtime.topics.record import ProduceRecord, Record

__all__ = [
    "Backoff", "ByteSize", "ConnectorContext", "Delivery", "Duration", "Emit", "Field",
    "NoParams", "Parameters", "ProduceRecord", "Record", "RecordError", "Retry", "Secret",
    "Sink", "Source", "StopSignal", "Str", "milliseconds", "seconds",
]

Kind = Literal["source", "sink"]


class Parameters(Strict):
    """Base of a connector's parameters model: an unknown key is reported with a
    did-you-mean, as for every built-in."""


class NoParams(Parameters):
    """A connector that takes no parameters."""


# A parameter holding a secret: text (`${{ secrets.NAME }}` in the config; validate warns
# when it is written in plain text) or Fluvio's `{secret: {name: NAME}}`. Either way the
# connector receives the resolved text, and the value is masked in every log line.
Secret = Annotated[Any, BeforeValidator(secret_or(lambda v: v)), WithJsonSchema({
    "anyOf": [{"type": "string"}, SECRET_REF_SCHEMA], "writeOnly": True, "x-secret": True})]


def seconds(duration: str | int | float) -> float:
    """A `Duration` parameter (`500ms`, `1m 30s`) in seconds."""
    if isinstance(duration, (int, float)):
        return float(duration)
    return parse_duration(duration) / 1000


def milliseconds(duration: str) -> int:
    """A `Duration` parameter (`500ms`, `1m 30s`) in whole milliseconds."""
    return parse_duration(duration)


class RecordError(Exception):
    """Raised by a sink's `write` for a record that can never be delivered (bad data): it
    is logged with its offset and skipped or stops the connector (`on-error`)."""


class Retry(Exception):
    """Raised by a sink's `write` for a transient failure (destination down, busy): the
    record is retried with backoff until it goes through, the connector is stopped, or
    the sink's `retries` are used up."""


class _Connector:
    """What every connector type declares; the registry reads these class attributes."""

    type: ClassVar[str]  # `acme-orders-source`: lowercase, `-source` or `-sink` at the end
    kind: ClassVar[Kind]
    Params: ClassVar[type[BaseModel]] = NoParams
    summary: ClassVar[str] = ""  # one line for `connector types`, `config new`, the TUI
    section: ClassVar[str | None] = None  # apiVersion section key; default: type minus kind
    legacy_type: ClassVar[str | None] = None  # its `type:` in the legacy format
    legacy_aliases: ClassVar[tuple[tuple[str, str], ...]] = ()  # legacy key -> current key
    legacy_env: ClassVar[tuple[tuple[str, str], ...]] = ()  # parameter -> legacy env var
    starter: ClassVar[str | None] = None  # the section `config new` writes; default: generated

    def __init__(self, ctx: ConnectorContext) -> None:
        self.ctx = ctx
        self.log = ctx.reporter  # .info/.warning/.error/.debug, masked; .metrics
        self.params = ctx.config(self.Params)

    @property
    def name(self) -> str:
        return self.ctx.spec.name

    @property
    def state_dir(self) -> Path:
        """A private directory kept across restarts (positions, cursors)."""
        return self.ctx.state_dir()

    @property
    def stopping(self) -> bool:
        return self.ctx.stop.is_set()


class Source(_Connector):
    """A source: `run` calls `await emit([ProduceRecord(value, key), ...])` until it is
    cancelled (stop) or returns when exhausted. `emit` hands the records through the
    transforms to the producer (linger, batch-size).

    `await emit(records, position="...")` also says where the source is after them (a file
    offset, a cursor, a page token): on the embedded store it is stored in the same
    transaction as the records, and `self.position()` reads it back on the next start, so
    a restart, even after SIGKILL, neither loses nor repeats a record."""

    kind: ClassVar[Kind] = "source"

    def position(self) -> str | None:
        """The position stored with the last records that reached the topic (None on a
        first start). Call it from `run`."""
        positions = self.ctx.positions
        return positions.load() if positions is not None else None


class Sink(_Connector):
    """A sink: `write(record)` delivers one record, or override `deliver(records)` to
    deliver a batch at once. Records come in topic order; offsets are committed only after
    delivery, so a crash or stop delivers again rather than losing (at-least-once).

    A `write` that raises `Retry` is called again after a backoff from `backoff_min_s`
    doubling up to `backoff_max_s`; a stop request ends the wait at once (the record stays
    uncommitted). With `retries` set (e.g. from a parameter, in `__init__`), a record still
    failing after that many retries fails the connector, uncommitted, so a restart
    delivers it again; None retries until delivered or stopped."""

    kind: ClassVar[Kind] = "sink"
    # records handed to `deliver` at most (fewer when fewer are waiting): a sink paying a
    # fixed cost per batch (a transaction, a request) can ask for more
    batch_records: ClassVar[int] = 1000
    backoff_min_s: float = 0.5
    backoff_max_s: float = 30.0
    retries: int | None = None

    async def open(self) -> None:
        """Connect before the first batch."""

    async def close(self) -> None:
        """Release what `open` took; runs on every stop."""

    async def deliver(self, records: Sequence[Record]) -> Delivery:
        """Each record through `write`: `Retry` waits with backoff and tries again,
        `RecordError` fails that record (skip or stop by the `on-error` policy)."""
        result = Delivery()
        for record in records:
            if self.stopping:
                result.interrupted = True
                break
            problem = await self._write_retrying(record)
            if problem is _STOPPED:  # stopped while retrying: delivered again next start
                result.interrupted = True
                break
            result.attempted += 1
            if problem is None:
                result.delivered += 1
                continue
            result.failures.append((record, problem))
            if self.ctx.policy == "stop":
                result.halted = True
                break
        return result

    async def _write_retrying(self, record: Record) -> str | object | None:
        """None when written, the reason when the record is bad, _STOPPED when a stop
        came during a backoff; raises WeirError when `retries` are used up."""
        backoff = Backoff(int(self.backoff_min_s * 1000), int(self.backoff_max_s * 1000))
        attempt = 0
        while True:
            try:
                await self.write(record)
                return None
            except RecordError as exc:
                return str(exc) or type(exc).__name__
            except Retry as exc:
                reason = str(exc) or "retry"
                self.log.metrics.last_error = self.log.mask(reason)
                if self.retries is not None and attempt >= self.retries:
                    raise WeirError(
                        f"offset {record.offset}: {reason}, still failing after "
                        f"{plural(self.retries, 'retry', 'retries')}",
                        hint="not committed: the record is delivered again on the next start",
                    ) from None
                attempt += 1
                delay = backoff.next_delay()
                self.log.warning(f"offset {record.offset}: {reason}; retry {attempt} in "
                                 f"{delay:.1f}s")
                if await self.ctx.stop.sleep(delay):
                    return _STOPPED


_STOPPED = object()


def missing_method(cls: type) -> str | None:
    """The method a connector class must define and does not (None when it has it), so
    an incomplete plugin is refused when it loads instead of failing once it runs."""
    if issubclass(cls, Source) and not callable(getattr(cls, "run", None)):
        return "a source class must define `async def run(self, emit)`"
    if (issubclass(cls, Sink) and not callable(getattr(cls, "write", None))
            and cls.deliver is Sink.deliver):
        return ("a sink class must define `async def write(self, record)` or "
                "`async def deliver(self, records)`")
    return None
