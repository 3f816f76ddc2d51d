"""`generator`: a demo source that needs no network.

Parameters: `template` (the record value; placeholders below), `key` (optional template),
`rate` (records per second, default 1; `0` or `unlimited` = as fast as the pipeline
takes them) or `interval` (a duration between records), `count` (stop after N records
of this run; default: run until stopped), `batch` (records emitted per step at high
rates, default 500).

Placeholders, written `{{name}}` (or `{name}`): `n` (0, 1, 2, ...; a restart continues
after the last number stored: the next `n` is the source position the kit keeps in the
same transaction as the records, so even a SIGKILL repeats or skips none), `time` (ISO 8601
UTC), `timestamp` (epoch ms), `uuid`, `random_int` (0-99), `random_int:LO:HI` (an integer
in LO..HI; `LO..HI` works too) and `choice:a|b|c` (one of the options).
"""

from __future__ import annotations

import json
import random
import time
import uuid
from datetime import UTC, datetime

from runtime.config import connector_types as ct
from runtime.config.generator_template import parse_template
from runtime.connectors.base import ConnectorContext, Emit
from runtime.connectors.kit import Source, milliseconds
from runtime.topics.record import ProduceRecord

DEFAULT_RATE = 1.0  # records per second when neither `rate` nor `interval` is given
DEFAULT_BATCH = 500


class Template:
    """A compiled template: literal parts and placeholders, rendered per record."""

    def __init__(self, text: str) -> None:
        self.parts = parse_template(text)
        # one str.format per record; literal braces (JSON) escaped once here
        self.format = "".join(
            p.replace("{", "{{").replace("}", "}}") if isinstance(p, str) else "{}"
            for p in self.parts
        )
        self.fields = [p for p in self.parts if not isinstance(p, str)]

    def render_batch(self, first: int, count: int, now_ms: int) -> list[bytes]:
        """Records first .. first+count-1, all stamped with the same `now_ms`."""
        moment = datetime.fromtimestamp(now_ms / 1000, UTC)
        constants = {
            "time": moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now_ms % 1000:03d}Z",
            "timestamp": str(now_ms),
        }
        makers = []
        for name, arg in self.fields:
            if name in constants:
                makers.append(_constant(constants[name]))
            elif name == "n":
                makers.append(str)
            elif name == "uuid":
                makers.append(_uuid)
            elif name == "choice":
                makers.append(_choice(arg))
            else:
                makers.append(_random_int(*arg))
        fmt = self.format.format
        return [fmt(*[m(n) for m in makers]).encode() for n in range(first, first + count)]

    def render(self, n: int, now_ms: int) -> bytes:
        return self.render_batch(n, 1, now_ms)[0]


def _constant(value: str):
    return lambda n: value


def _uuid(n: int) -> str:
    return str(uuid.uuid4())


def _choice(options: list[str]):
    rand, count = random.random, len(options)
    return lambda n: options[int(rand() * count)]


def _random_int(low: int, high: int):
    rand, span = random.random, high - low + 1
    return lambda n: str(low + int(rand() * span))


class GeneratorSource(Source):
    type = "generator-source"
    legacy_type = "generator"
    Params = ct.GeneratorSource
    summary = "generate demo records offline from a template"

    params: ct.GeneratorSource

    def __init__(self, ctx: ConnectorContext) -> None:
        super().__init__(ctx)
        p = self.params
        self.reporter = ctx.reporter
        self.template = Template(p.template)
        self.key = Template(p.key) if p.key else None
        self.count = p.count
        self.batch = p.batch or DEFAULT_BATCH
        if p.interval is not None:
            interval_ms = milliseconds(p.interval)
            self.rate = 0.0 if interval_ms == 0 else 1000 / interval_ms
        else:
            self.rate = p.rate if p.rate is not None else DEFAULT_RATE

    async def run(self, emit: Emit) -> None:
        import asyncio

        rate = "as fast as possible" if self.rate == 0 else f"{self.rate:g} records/s"
        total = "until stopped" if self.count is None else f"{self.count} records"
        first = self._next_n()
        if first:
            total += f", {{{{n}}}} continuing at {first}"
        self.reporter.info(f"generator: {rate}, {total}")
        done = 0  # records of this run; record `done` is due at done / rate seconds
        started = time.monotonic()
        while self.count is None or done < self.count:
            if self.rate == 0:
                due = self.batch
            else:
                behind = (time.monotonic() - started) * self.rate
                due = int(behind) + 1 - done
                if due <= 0:
                    await asyncio.sleep((done - behind) / self.rate)
                    continue
                due = min(due, self.batch)
            if self.count is not None:
                due = min(due, self.count - done)
            n = first + done
            now_ms = int(time.time() * 1000)
            values = self.template.render_batch(n, due, now_ms)
            keys = self.key.render_batch(n, due, now_ms) if self.key else [None] * due
            records = [ProduceRecord(v, k, now_ms) for v, k in zip(values, keys, strict=True)]
            done += due
            # the pipeline yields to the loop (linger, stop) in emit
            await emit(records, position=str(first + done))

    def _next_n(self) -> int:
        """The `{{n}}` this run starts at: the position stored with the last records, else
        what a Weir before positions left in `generator.json`, else 0."""
        stored = self.position()
        if stored is not None and stored.isdigit():
            return int(stored)
        try:
            value = json.loads((self.state_dir / "generator.json").read_text()).get("next_n")
        except (OSError, ValueError, AttributeError):
            return 0
        return value if isinstance(value, int) and value >= 0 else 0
