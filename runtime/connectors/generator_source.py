"""`generator`: a demo source that needs no network.

Parameters: `template` (the record value; placeholders below), `key` (optional template),
`rate` (records per second, default 1; `0` or `unlimited` = as fast as the pipeline
takes them) or `interval` (a duration between records), `count` (stop after N records
of this run; default: run until stopped), `batch` (records emitted per step at high
rates, default 500).

Placeholders, written `{{name}}` (or `{name}`): `n` (0, 1, 2, ...; a restart continues
after the last number produced, kept in the connector's `generator.json`), `time` (ISO 8601
UTC), `timestamp` (epoch ms), `uuid`, `random_int` (0-99), `random_int:LO:HI` (an integer
in LO..HI; `LO..HI` works too) and `choice:a|b|c` (one of the options).
"""

from __future__ import annotations

import json
import random
import re
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from runtime.config import connector_types as ct
from runtime.connectors.base import ConnectorContext, Emit
from runtime.connectors.kit import Source
from runtime.connectors.params import ParameterError
from runtime.private_files import write_private_atomic
from runtime.topics.record import ProduceRecord

DEFAULT_TEMPLATE = '{"n": {{n}}, "time": "{{time}}"}'
_NAMES = r"n|timestamp|time|uuid|random_int|random|choice"
_PLACEHOLDER = re.compile(
    r"\{\{\s*(" + _NAMES + r")(?::([^}]*))?\s*\}\}|\{(" + _NAMES + r")(?::([^}\"]*))?\}"
)
_RANGE = re.compile(r"^\s*(-?\d+)\s*(?::|\.\.|-|,)\s*(-?\d+)\s*$")


class Template:
    """A compiled template: literal parts and placeholders, rendered per record."""

    def __init__(self, text: str) -> None:
        self.parts: list[str | tuple[str, object]] = []
        pos = 0
        for match in _PLACEHOLDER.finditer(text):
            self.parts.append(text[pos:match.start()])
            name = match.group(1) or match.group(3)
            arg = match.group(2) if match.group(1) else match.group(4)
            self.parts.append(_placeholder(name, arg, match.group(0)))
            pos = match.end()
        self.parts.append(text[pos:])

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


def _placeholder(name: str, arg: str | None, text: str) -> tuple[str, object]:
    if name in ("random", "random_int"):
        if not arg:
            return ("random_int", (0, 99))
        match = _RANGE.match(arg)
        if not match or int(match.group(1)) > int(match.group(2)):
            raise ParameterError(f"template placeholder `{text}`: write random_int:LO:HI "
                                 "with LO <= HI, for example {{random_int:1:100}}")
        return ("random_int", (int(match.group(1)), int(match.group(2))))
    if name == "choice":
        options = [o for o in (arg or "").split("|")]
        if not arg or not options:
            raise ParameterError(f"template placeholder `{text}` needs options: "
                                 "{{choice:a|b|c}}")
        return ("choice", options)
    return (name, None)


class GeneratorSource(Source):
    type = "generator-source"
    legacy_type = "generator"
    Params = ct.GeneratorSource
    summary = "generate demo records offline from a template"

    def __init__(self, ctx: ConnectorContext) -> None:
        super().__init__(ctx)
        params = ctx.params
        self.reporter = ctx.reporter
        self.state = self.state_dir / "generator.json"
        self.template = Template(params.str("template", DEFAULT_TEMPLATE) or DEFAULT_TEMPLATE)
        key = params.str("key")
        self.key = Template(key) if key else None
        self.count = params.int("count")
        self.batch = params.int("batch", 500, minimum=1) or 500
        rate_text = (params.str("rate") or "").strip().lower()
        if params.has("interval") and rate_text:
            raise ParameterError(
                f"connector `{ctx.spec.name}`: give either `rate` or `interval`, not both"
            )
        if params.has("interval"):
            interval_ms = params.duration_ms("interval", 1000)
            self.rate = 0.0 if interval_ms == 0 else 1000 / interval_ms
        elif rate_text in ("0", "unlimited", "max"):
            self.rate = 0.0
        else:
            self.rate = params.float("rate", 1.0) or 1.0

    async def run(self, emit: Emit) -> None:
        import asyncio

        rate = "as fast as possible" if self.rate == 0 else f"{self.rate:g} records/s"
        total = "until stopped" if self.count is None else f"{self.count} records"
        first = read_next_n(self.state)
        if first:
            total += f", {{{{n}}}} continuing at {first}"
        self.reporter.info(f"generator: {rate}, {total}")
        done = 0  # records of this run; record `done` is due at done / rate seconds
        started = time.monotonic()
        saved_at = started
        try:
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
                records = [ProduceRecord(v, k, now_ms)
                           for v, k in zip(values, keys, strict=True)]
                done += due
                await emit(records)  # the pipeline yields to the loop (linger, stop) in emit
                if time.monotonic() - saved_at >= 0.5:
                    write_next_n(self.state, first + done)
                    saved_at = time.monotonic()
        finally:
            write_next_n(self.state, first + done)


def read_next_n(path: Path) -> int:
    """The `{{n}}` a new run starts at: one past the last a previous run produced."""
    try:
        value = json.loads(path.read_text()).get("next_n", 0)
    except (OSError, ValueError, AttributeError):
        return 0
    return value if isinstance(value, int) and value >= 0 else 0


def write_next_n(path: Path, next_n: int) -> None:
    write_private_atomic(path, json.dumps({"next_n": next_n}))
