"""`http-sink`: one HTTP request per record, the record value as the body.

Parameters: endpoint (required), method (POST), headers (`"Key: Value"` list; default
`Content-Type: text/html` as Fluvio's), user_agent, http_request_timeout (15s),
http_connect_timeout (1s), backoff-min (1s), backoff-max (60s), retries (default: retry
until delivered; when given and used up, the connector fails with the record uncommitted,
so a restart delivers it again).

Connection errors, timeouts, 408, 429 and 5xx are retried with backoff, so a destination
that is down delays records, never drops them. Other 4xx answers mean this record will
never be accepted: it is a bad record (logged with its offset; skip or stop by policy).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from runtime.config import connector_types as ct
from runtime.config.connector_types import header_pairs
from runtime.connectors.backoff import Backoff
from runtime.connectors.base import ConnectorContext, Delivery
from runtime.connectors.kit import Sink, milliseconds
from runtime.errors import WeirError
from runtime.topics.record import Record

RETRY_STATUS = {408, 429}


class HttpSink(Sink):
    type = "http-sink"
    Params = ct.HttpSink
    summary = "send each record to an HTTP endpoint"

    params: ct.HttpSink

    def __init__(self, ctx: ConnectorContext) -> None:
        super().__init__(ctx)
        p = self.params
        self.reporter = ctx.reporter
        self.endpoint: str = p.endpoint
        self.method = p.method
        self.headers = header_pairs(p.headers)
        if not any(k.lower() == "user-agent" for k, _ in self.headers):
            self.headers.append(("User-Agent", p.user_agent))
        self.request_timeout_ms = milliseconds(p.http_request_timeout)
        self.connect_timeout_ms = milliseconds(p.http_connect_timeout)
        self.backoff_min_ms = milliseconds(p.backoff_min)
        self.backoff_max_ms = milliseconds(p.backoff_max)
        self.retries = p.retries
        self.client = None

    async def open(self) -> None:
        import httpx

        timeout = httpx.Timeout(self.request_timeout_ms / 1000,
                                connect=self.connect_timeout_ms / 1000)
        self.client = httpx.AsyncClient(timeout=timeout)
        self.reporter.info(f"http sink: {self.method} {self.endpoint}, one request per record")

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()
            self.client = None

    async def deliver(self, records: Sequence[Record]) -> Delivery:
        result = Delivery()
        for record in records:
            if self.ctx.stop.is_set():
                result.interrupted = True
                break
            result.attempted += 1
            problem = await self._send(record)
            if problem is None:
                result.delivered += 1
                continue
            result.failures.append((record, problem))
            if self.ctx.policy == "stop":
                result.halted = True
                break
        return result

    async def _send(self, record: Record) -> str | None:
        """None when delivered; the reason when the record can never be delivered."""
        import httpx

        backoff = Backoff(self.backoff_min_ms, self.backoff_max_ms)
        attempt = 0
        while True:
            attempt += 1
            try:
                response = await self.client.request(
                    self.method, self.endpoint, headers=self.headers, content=record.value
                )
            except httpx.HTTPError as exc:
                reason = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            else:
                status = response.status_code
                if status < 400:
                    return None
                reason = f"HTTP {status} {response.reason_phrase}"
                if status < 500 and status not in RETRY_STATUS:
                    return reason
            if self.retries is not None and attempt > self.retries:
                raise WeirError(
                    f"offset {record.offset}: {reason}, still failing after {self.retries} "
                    "retries",
                    hint="not committed: the record is delivered again on the next start",
                )
            delay = backoff.next_delay()
            self.reporter.warning(
                f"offset {record.offset}: {reason}; retry {attempt} in {delay:.1f}s"
            )
            self.reporter.metrics.last_error = self.reporter.mask(reason)
            await asyncio.sleep(delay)
