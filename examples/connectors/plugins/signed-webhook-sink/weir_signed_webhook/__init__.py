"""`signed-webhook-sink`: POST records in batches, as a JSON array, signed like GitHub's
webhooks, so the receiver knows they come from you and can drop a redelivery.

- Each request body is `[{"topic", "partition", "offset", "timestamp", "key", "value"}, ...]`
  (values as text; `value_base64` when a value is not UTF-8).
- `X-Weir-Signature: sha256=<hex HMAC-SHA256 of the body with the secret>`.
- `X-Weir-Delivery: <topic>/<partition>/<first offset>-<last offset>`: the same records
  always carry the same id, so a receiver can drop a batch it already has (Weir delivers
  at least once: a batch can come again after a crash).
- 2xx: delivered. Connection errors, timeouts, 408, 429 and 5xx: retried with backoff
  until delivered (the records stay uncommitted meanwhile). Another 4xx refuses the batch:
  its records are sent one at a time, so only the ones refused alone fail (logged with
  their offset; skipped, or stopping the connector with `on-error: stop`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import Sequence

from runtime.connectors.kit import (
    Backoff,
    Delivery,
    Duration,
    Field,
    Parameters,
    Record,
    Secret,
    Sink,
    seconds,
)

RETRY_STATUS = {408, 429}
_STOPPED = object()


class WebhookParams(Parameters):
    """The `webhook:` section of a `signed-webhook-sink` config."""

    endpoint: str = Field(description="the URL records are POSTed to",
                          examples=["http://127.0.0.1:8080/hooks/orders"])
    secret: Secret = Field(description="the HMAC key the receiver checks the signature "
                           "with: write ${{ secrets.WEBHOOK_SECRET }}",
                           examples=["${{ secrets.WEBHOOK_SECRET }}"])
    batch_size: int = Field(100, ge=1, le=10_000, description="records per request at most")
    timeout: Duration = Field("10s", description="per-request timeout")
    backoff_min: Duration = Field("500ms", description="first wait before a retry")
    backoff_max: Duration = Field("30s", description="longest wait between retries")
    headers: list[str] = Field(default_factory=list,
                               description='more request headers, "Name: value"')


class SignedWebhookSink(Sink):
    type = "signed-webhook-sink"
    Params = WebhookParams
    section = "webhook"
    summary = "POST record batches as signed JSON (HMAC-SHA256), retried until delivered"

    async def open(self) -> None:
        import httpx

        p = self.params
        self.key = p.secret.encode()
        self.extra = [tuple(part.strip() for part in h.split(":", 1)) for h in p.headers
                      if ":" in h]
        self.client = httpx.AsyncClient(timeout=seconds(p.timeout))
        self.log.info(f"webhook: POST {p.endpoint}, up to {p.batch_size} records a request")

    async def close(self) -> None:
        await self.client.aclose()

    async def deliver(self, records: Sequence[Record]) -> Delivery:
        result = Delivery()
        size = self.params.batch_size
        for start in range(0, len(records), size):
            chunk = records[start:start + size]
            outcome = await self._post(chunk)
            if outcome is _STOPPED:
                result.interrupted = True
                return result
            if outcome is None:
                result.delivered += len(chunk)
                result.attempted += len(chunk)
                continue
            self.log.warning(f"the batch at offset {chunk[0].offset} was refused ({outcome}): "
                             "sending its records one at a time")
            for record in chunk:
                alone = await self._post([record])
                if alone is _STOPPED:
                    result.interrupted = True
                    return result
                result.attempted += 1
                if alone is None:
                    result.delivered += 1
                    continue
                result.failures.append((record, alone))
                if self.ctx.policy == "stop":
                    result.halted = True
                    return result
        return result

    def body(self, records: Sequence[Record]) -> bytes:
        topic = self.ctx.spec.topic
        docs = []
        for r in records:
            doc = {"topic": topic, "partition": r.partition, "offset": r.offset,
                   "timestamp": r.timestamp,
                   "key": r.key.decode("utf-8", "replace") if r.key is not None else None}
            try:
                doc["value"] = r.value.decode("utf-8")
            except UnicodeDecodeError:
                doc["value"], doc["value_base64"] = base64.b64encode(r.value).decode(), True
            docs.append(doc)
        return json.dumps(docs, separators=(",", ":")).encode()

    async def _post(self, records: Sequence[Record]) -> str | object | None:
        """None when delivered, the reason when refused, _STOPPED when stopped meanwhile."""
        import httpx

        p = self.params
        body = self.body(records)
        first, last = records[0], records[-1]
        headers = {
            "Content-Type": "application/json",
            "X-Weir-Signature": "sha256=" + hmac.new(self.key, body, hashlib.sha256).hexdigest(),
            "X-Weir-Delivery": f"{self.ctx.spec.topic}/{first.partition}/{first.offset}-"
                               f"{last.offset}",
            **dict(self.extra),
        }
        backoff = Backoff(int(seconds(p.backoff_min) * 1000), int(seconds(p.backoff_max) * 1000))
        attempt = 0
        while True:
            try:
                response = await self.client.post(p.endpoint, content=body, headers=headers)
            except httpx.HTTPError as exc:
                reason = f"{type(exc).__name__}: {exc}".rstrip(": ")
            else:
                if response.status_code < 300:
                    return None
                reason = f"HTTP {response.status_code} {response.reason_phrase}"
                if response.status_code < 500 and response.status_code not in RETRY_STATUS:
                    return reason
            attempt += 1
            delay = backoff.next_delay()
            self.log.warning(f"offsets {first.offset}-{last.offset}: {reason}; retry {attempt} "
                             f"in {delay:.1f}s")
            self.log.metrics.last_error = self.log.mask(reason)
            if await self.ctx.stop.sleep(delay):
                return _STOPPED
