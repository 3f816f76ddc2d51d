"""What a connector implements, and what the pipeline hands it.

A source pushes raw records through `emit` until it is cancelled (or, like a generator
with a `count`, returns when done). A sink receives records in topic order and says which
it delivered; the pipeline commits offsets only after that (at-least-once).
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, Protocol

from pydantic import BaseModel

from runtime.config.spec import ConnectorSpec
from runtime.connectors.reporter import Reporter
from runtime.errors import WeirError
from runtime.topics.record import Record

ErrorPolicy = Literal["skip", "stop"]
# emit(records) or emit(records, position="..."): the position is stored with the records
Emit = Callable[..., Awaitable[None]]


class ParameterError(WeirError):
    """A parameter the connector cannot use: names the connector and the parameter."""


@dataclass(slots=True)
class ConnectorContext:
    """Everything a connector needs at construction; the config was validated on load."""

    spec: ConnectorSpec
    reporter: Reporter
    policy: ErrorPolicy
    stop: StopSignal
    home: Path | None = None  # where state_dir() lives; None: WEIR_HOME
    positions: Any = None  # a source's runtime.connectors.positions.Positions, once running

    def config(self, model: type[BaseModel]) -> BaseModel:
        """The parameters as an instance of the connector's model. Unknown keys are left
        out (validate warned of them; Fluvio ignores them); a value the model refuses fails
        the start naming the connector and the parameter, in the words validate uses."""
        import copy

        from pydantic import ValidationError

        data = copy.deepcopy(dict(self.spec.parameters))
        context = {"format": self.spec.format}
        while True:
            try:
                return model.model_validate(data, context=context, strict=False)
            except ValidationError as exc:
                errors = exc.errors(include_url=False)
            extras = [e["loc"] for e in errors if e["type"] == "extra_forbidden"]
            if len(extras) != len(errors) or not _drop(data, extras):
                err = next(e for e in errors if e["type"] != "extra_forbidden")
                where = ".".join(str(p) for p in err["loc"]) or "parameters"
                raise ParameterError(f"connector `{self.spec.name}`: parameter `{where}`: "
                                     f"{err['msg']}")

    def state_dir(self) -> Path:
        """The connector's own private directory under WEIR_HOME, kept across restarts."""
        from runtime.connectors.telemetry import connector_dir

        return connector_dir(self.spec.name, self.home)


def _drop(data: dict, locations: list[tuple]) -> bool:
    """Remove the keys at `locations`; False when one is not there (nothing to retry)."""
    for loc in locations:
        target = data
        for part in loc[:-1]:
            target = target[part]
        if not isinstance(target, dict) or loc[-1] not in target:
            return False
        del target[loc[-1]]
    return True


class Source(Protocol):
    async def run(self, emit: Emit) -> None:
        """Produce until cancelled; return only when the source is exhausted."""
        ...


@dataclass(slots=True)
class Delivery:
    """What a sink did with one batch: `delivered` records, `failures` (record, reason) it
    gave up on for good, whether it `halted` at the first failure (stop policy), and
    whether it was `interrupted` by a stop request after `attempted` records from the front
    (delivered or failed); the rest of the batch is then left uncommitted."""

    delivered: int = 0
    failures: list[tuple[Record, str]] = field(default_factory=list)
    halted: bool = False
    interrupted: bool = False
    attempted: int = 0


class Sink(Protocol):
    batch_records: int  # records handed to `deliver` at most (kit.Sink: 1000 unless set)

    async def open(self) -> None: ...

    async def deliver(self, records: Sequence[Record]) -> Delivery:
        """Deliver in order, retrying transient failures (cancellable while it waits)."""
        ...

    async def close(self) -> None: ...


class StopSignal:
    """A threading.Event the supervisor, a signal handler or a test can set, awaitable
    from the pipeline's event loop."""

    POLL_S = 0.05

    def __init__(self, event: threading.Event | None = None) -> None:
        self.event = event or threading.Event()

    def is_set(self) -> bool:
        return self.event.is_set()

    def set(self) -> None:
        self.event.set()

    async def wait(self) -> None:
        while not self.event.is_set():
            await asyncio.sleep(self.POLL_S)

    async def sleep(self, seconds: float) -> bool:
        """Sleep unless stopped first; True when the stop came."""
        deadline = asyncio.get_running_loop().time() + max(0.0, seconds)
        while not self.event.is_set():
            left = deadline - asyncio.get_running_loop().time()
            if left <= 0:
                return False
            await asyncio.sleep(min(left, self.POLL_S))
        return True
