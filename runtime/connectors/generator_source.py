"""`generator`: a demo source that needs no network.

Parameters: `template` (the record value; placeholders below), `key` (optional template),
`rate` (records per second, default 1; `0` or `unlimited` = as fast as the pipeline
takes them) or `interval` (a duration between records), `count` (stop after N records;
default: run until stopped), `batch` (records emitted per step at high rates, default 500).

Placeholders, written `{{name}}` (or `{name}`): `n` (0, 1, 2, ...), `time` (ISO 8601
UTC), `timestamp` (epoch ms), `uuid`, `random_int` (0-99), `random_int:LO:HI` (an integer
in LO..HI; `LO..HI` works too) and `choice:a|b|c` (one of the options).
"""

from __future__ import annotations

import random
import re
import time
import uuid
from datetime import UTC, datetime

from runtime.connectors.base import ConnectorContext, Emit
from runtime.connectors.params import ParameterError
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

    def render(self, n: int, now_ms: int) -> bytes:
        out = []
        for part in self.parts:
            if isinstance(part, str):
                out.append(part)
                continue
            name, arg = part
            if name == "n":
                out.append(str(n))
            elif name == "timestamp":
                out.append(str(now_ms))
            elif name == "time":
                moment = datetime.fromtimestamp(now_ms / 1000, UTC)
                out.append(moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now_ms % 1000:03d}Z")
            elif name == "uuid":
                out.append(str(uuid.uuid4()))
            elif name == "choice":
                out.append(random.choice(arg))
            else:
                low, high = arg
                out.append(str(random.randint(low, high)))
        return "".join(out).encode()


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


class GeneratorSource:
    def __init__(self, ctx: ConnectorContext) -> None:
        params = ctx.params
        self.reporter = ctx.reporter
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
        self.reporter.info(f"generator: {rate}, {total}")
        n = 0
        started = time.monotonic()
        while self.count is None or n < self.count:
            if self.rate == 0:
                due = self.batch
            else:
                due = int((time.monotonic() - started) * self.rate) + 1 - n
                if due <= 0:
                    await asyncio.sleep((n + 1 - (time.monotonic() - started) * self.rate)
                                        / self.rate)
                    continue
                due = min(due, self.batch)
            if self.count is not None:
                due = min(due, self.count - n)
            now_ms = int(time.time() * 1000)
            records = [
                ProduceRecord(
                    self.template.render(n + i, now_ms),
                    self.key.render(n + i, now_ms) if self.key else None,
                    now_ms,
                )
                for i in range(due)
            ]
            n += due
            await emit(records)
            if self.rate == 0:
                await asyncio.sleep(0)  # let the linger task and the stop signal run
