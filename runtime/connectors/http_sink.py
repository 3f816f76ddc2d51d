"""`http-sink`: one HTTP request per record, the record value as the body.

Parameters: endpoint (required), method (POST), headers (`"Key: Value"` list; default
`Content-Type: text/html` as Fluvio's), user_agent, http_request_timeout (15s),
http_connect_timeout (1s), backoff-min (1s), backoff-max (60s), retries (default: retry
until delivered; when given and used up, the connector fails with the record uncommitted,
so a restart delivers it again).

Connection errors, timeouts, 408, 429 and 5xx are retried with backoff, so a destination
that is down delays records, never drops them; a stop request ends a backoff at once,
leaving the record uncommitted. Other 4xx answers mean this record will never be
accepted: it is a bad record (logged with its offset; skip or stop by policy). The retry
loop is the kit's (`Sink.deliver`): this module only says what one request's answer means.
"""

from __future__ import annotations

from runtime.config import connector_types as ct
from runtime.config.connector_types import header_pairs
from runtime.connectors.base import ConnectorContext
from runtime.connectors.kit import RecordError, Retry, Sink, milliseconds, seconds
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
        self.endpoint: str = p.endpoint
        self.method = p.method
        self.headers = header_pairs(p.headers)
        if not any(k.lower() == "user-agent" for k, _ in self.headers):
            self.headers.append(("User-Agent", p.user_agent))
        self.request_timeout_ms = milliseconds(p.http_request_timeout)
        self.connect_timeout_ms = milliseconds(p.http_connect_timeout)
        self.backoff_min_s = seconds(p.backoff_min)
        self.backoff_max_s = seconds(p.backoff_max)
        self.retries = p.retries
        self.client = None

    async def open(self) -> None:
        import httpx

        timeout = httpx.Timeout(self.request_timeout_ms / 1000,
                                connect=self.connect_timeout_ms / 1000)
        self.client = httpx.AsyncClient(timeout=timeout)
        self.log.info(f"http sink: {self.method} {self.endpoint}, one request per record")

    async def close(self) -> None:
        if self.client is not None:
            await self.client.aclose()
            self.client = None

    async def write(self, record: Record) -> None:
        """One request: a 2xx/3xx delivered it; `Retry` for what may go through later,
        `RecordError` for an answer that refuses this record for good."""
        import httpx

        try:
            response = await self.client.request(
                self.method, self.endpoint, headers=self.headers, content=record.value
            )
        except httpx.HTTPError as exc:
            raise Retry(f"{type(exc).__name__}: {exc}" if str(exc)
                        else type(exc).__name__) from None
        status = response.status_code
        if status < 400:
            return
        reason = f"HTTP {status} {response.reason_phrase}"
        if status < 500 and status not in RETRY_STATUS:
            raise RecordError(reason)
        raise Retry(reason)
