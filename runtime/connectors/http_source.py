"""`http` / `http-source`: poll an HTTP endpoint, read a streaming response, or listen
on a WebSocket (`ws://`, `wss://`), producing one record per response, stream segment or
message. A failed request or a bad response is logged and counted, then retried with
backoff: it never stops the connector.

Parameters (config doc, section 4): endpoint, method, interval, headers (and legacy
`header`), body, user_agent, output_type text|json, output_parts body|full, stream,
delimiter, websocket_config {subscription_message(s), ping_interval_ms}; also
`http_request_timeout` (default 30s) and `http_connect_timeout` (default 10s).
"""

from __future__ import annotations

import asyncio
import codecs
import json

from runtime.config import connector_types as ct
from runtime.config.connector_types import header_pairs
from runtime.connectors.backoff import Backoff
from runtime.connectors.base import ConnectorContext, Emit
from runtime.connectors.kit import Source, milliseconds
from runtime.topics.limits import MAX_RECORD_BYTES
from runtime.topics.record import ProduceRecord

MAX_BACKOFF_MS = 60_000


class HttpSource(Source):
    type = "http-source"
    legacy_type = "http"
    Params = ct.HttpSource
    summary = "poll an HTTP endpoint or read a WebSocket"
    legacy_aliases = (("header", "headers"),)

    params: ct.HttpSource

    def __init__(self, ctx: ConnectorContext) -> None:
        super().__init__(ctx)
        p = self.params
        self.reporter = ctx.reporter
        self.endpoint: str = p.endpoint
        self.websocket = self.endpoint.split(":", 1)[0].lower() in ("ws", "wss")
        self.method = p.method
        self.interval_ms = milliseconds(p.interval)
        self.headers = header_pairs(p.headers)
        if not any(k.lower() == "user-agent" for k, _ in self.headers):
            self.headers.append(("User-Agent", p.user_agent))
        self.body = p.body.encode() if p.body is not None else None
        self.output_type = p.output_type
        self.output_parts = p.output_parts
        self.stream = p.stream
        delimiter = p.delimiter or "\n"
        if "\\" in delimiter:
            delimiter = codecs.decode(delimiter, "unicode_escape")
        self.delimiter = delimiter.encode()
        self.request_timeout_ms = milliseconds(p.http_request_timeout)
        self.connect_timeout_ms = milliseconds(p.http_connect_timeout)
        ws = p.websocket_config or ct.WebsocketConfig()
        # the official connector's older, single key goes first
        one = [ws.subscription_message] if ws.subscription_message is not None else []
        self.subscriptions = [*one, *ws.subscription_messages]
        self.ping_interval_ms = ws.ping_interval_ms
        self.backoff = Backoff(min(self.interval_ms, 1000) or 100,
                               max(self.interval_ms, MAX_BACKOFF_MS))

    async def run(self, emit: Emit) -> None:
        mode = "websocket" if self.websocket else ("stream" if self.stream else "poll")
        every = f" every {self.interval_ms}ms" if mode == "poll" else ""
        self.reporter.info(f"http source: {mode} {self.method if mode != 'websocket' else ''}"
                           f" {self.endpoint}{every}".replace("  ", " "))
        if self.websocket:
            await self._websocket(emit)
            return
        import httpx

        timeout = httpx.Timeout(self.request_timeout_ms / 1000,
                                connect=self.connect_timeout_ms / 1000)
        async with httpx.AsyncClient(timeout=timeout, follow_redirects=True) as client:
            if self.stream:
                await self._stream(client, emit)
            else:
                await self._poll(client, emit)

    # polling: one record per response
    async def _poll(self, client, emit: Emit) -> None:
        import httpx

        loop = asyncio.get_running_loop()
        while True:
            started = loop.time()
            try:
                async with client.stream(
                    self.method, self.endpoint, headers=self.headers, content=self.body
                ) as response:
                    body = await _read_capped(response)
            except httpx.HTTPError as exc:
                await self._failed(f"request to the endpoint failed: {_describe(exc)}")
                continue
            if response.status_code >= 400:
                await self._failed(
                    f"bad response: HTTP {response.status_code} {response.reason_phrase}"
                    + _snippet(body or b"")
                )
                continue
            if body is None:
                await self._failed(f"the response is over the {MAX_RECORD_BYTES:,}-byte "
                                   "record limit; it was not read further, nor produced")
                continue
            self.backoff.reset()
            await emit([ProduceRecord(self._format(response, body))])
            wait = self.interval_ms / 1000 - (loop.time() - started)
            if wait > 0:
                await asyncio.sleep(wait)

    # streaming: one record per delimited segment of a long response
    async def _stream(self, client, emit: Emit) -> None:
        import httpx

        while True:
            try:
                async with client.stream(
                    self.method, self.endpoint, headers=self.headers, content=self.body,
                    timeout=httpx.Timeout(None, connect=self.connect_timeout_ms / 1000),
                ) as response:
                    if response.status_code >= 400:
                        body = await response.aread()
                        await self._failed(
                            f"bad response: HTTP {response.status_code} "
                            f"{response.reason_phrase}" + _snippet(body)
                        )
                        continue
                    self.reporter.info(f"stream open: HTTP {response.status_code}")
                    pending = b""
                    skipping = False  # inside a segment over the record limit
                    async for chunk in response.aiter_bytes():
                        pending += chunk
                        parts = pending.split(self.delimiter)
                        pending = parts.pop()
                        if skipping and parts:
                            parts, skipping = parts[1:], False  # its end: drop it
                        records = [ProduceRecord(self._format(response, part))
                                   for part in parts if part]
                        if records:
                            self.backoff.reset()
                            await emit(records)
                        if len(pending) > MAX_RECORD_BYTES:  # no delimiter for too long
                            if not skipping:
                                self.reporter.error(
                                    f"a segment of the stream is over the "
                                    f"{MAX_RECORD_BYTES:,}-byte record limit; skipped up to "
                                    "the next delimiter")
                            pending, skipping = b"", True
                    if pending:
                        await emit([ProduceRecord(self._format(response, pending))])
                self.reporter.info("stream ended by the server; reconnecting")
                await asyncio.sleep(self.backoff.next_delay())
            except httpx.HTTPError as exc:
                await self._failed(f"stream failed: {_describe(exc)}")

    # websocket: one record per message
    async def _websocket(self, emit: Emit) -> None:
        from websockets.asyncio.client import connect
        from websockets.exceptions import InvalidHandshake, WebSocketException

        headers = [(k, v) for k, v in self.headers if k.lower() != "user-agent"]
        agent = next(v for k, v in self.headers if k.lower() == "user-agent")
        ping = self.ping_interval_ms / 1000 if self.ping_interval_ms > 0 else None
        while True:
            try:
                async with connect(
                    self.endpoint, additional_headers=headers, user_agent_header=agent,
                    ping_interval=ping, open_timeout=self.connect_timeout_ms / 1000,
                    max_size=None,
                ) as ws:
                    self.reporter.info("websocket connected")
                    for message in self.subscriptions:
                        await ws.send(message)
                    async for message in ws:
                        data = message.encode() if isinstance(message, str) else message
                        self.backoff.reset()
                        await emit([ProduceRecord(self._format(None, data))])
                self.reporter.info("websocket closed by the server; reconnecting")
                await asyncio.sleep(self.backoff.next_delay())
            except (OSError, TimeoutError, InvalidHandshake, WebSocketException) as exc:
                await self._failed(f"websocket failed: {_describe(exc)}")

    async def _failed(self, message: str) -> None:
        delay = self.backoff.next_delay()
        self.reporter.error(f"{message}; retrying in {delay:.1f}s")
        await asyncio.sleep(delay)

    def _format(self, response, body: bytes) -> bytes:
        """The record value for `output_type` x `output_parts` (Fluvio's shapes)."""
        full = self.output_parts == "full" and response is not None
        if self.output_type == "text":
            if not full:
                return body
            lines = [f"{response.http_version} {response.status_code} {response.reason_phrase}"]
            lines += [f"{k}: {v}" for k, v in response.headers.multi_items()]
            return ("\n".join(lines) + "\n\n").encode() + body
        text = body.decode("utf-8", errors="replace")
        if not full:
            return json.dumps({"body": text}).encode()
        headers: dict[str, str] = {}
        for k, v in response.headers.multi_items():
            headers[k] = f"{headers[k]}, {v}" if k in headers else v
        return json.dumps({
            "status": {"version": response.http_version, "code": response.status_code,
                       "string": response.reason_phrase},
            "header": headers,
            "body": text,
        }).encode()


def _describe(exc: BaseException) -> str:
    text = str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {text}" if text != type(exc).__name__ else text


async def _read_capped(response) -> bytes | None:
    """The response body, or None as soon as it is over MAX_RECORD_BYTES (a record no
    store takes): never more than that is held."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        size += len(chunk)
        if size > MAX_RECORD_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _snippet(body: bytes, limit: int = 200) -> str:
    text = body[:limit].decode("utf-8", errors="replace").strip()
    return f": {text}" if text else ""
