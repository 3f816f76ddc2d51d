"""`mqtt-source`: subscribe to an MQTT topic filter and produce one record per message.

Parameters: `url` (`mqtt://host:1883`, `mqtts://...`, `ws://host/path`, credentials as
`mqtt://user:pass@host`), `topic` (a filter, `+` and `#` allowed), `client_id` (default:
random), `timeout` ({secs, nanos}, or seconds in the legacy format; keep-alive, 60s),
`qos` (0, 1 or 2; default 0), `payload_output_type`: `binary` (the payload as the
record value) or `json` (`{"mqtt_topic": T, "payload": P}`, P parsed when it is JSON,
else a string).

paho-mqtt runs its network loop in its own thread and reconnects with backoff by
itself; messages cross to the pipeline's event loop through a queue.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from urllib.parse import unquote, urlsplit

from runtime.config import connector_types as ct
from runtime.connectors.base import ConnectorContext, Emit, ParameterError
from runtime.connectors.kit import Source
from runtime.topics.record import ProduceRecord

MAX_BATCH = 500


class MqttSource(Source):
    type = "mqtt-source"
    legacy_type = "mqtt"
    Params = ct.MqttSource
    summary = "subscribe to an MQTT topic"
    legacy_aliases = (("mqtt_url", "url"), ("mqtt-url", "url"), ("mqtt_topic", "topic"),
                      ("mqtt-topic", "topic"))
    legacy_env = (("url", "MQTT_URL"),)

    params: ct.MqttSource

    def __init__(self, ctx: ConnectorContext) -> None:
        super().__init__(ctx)
        p = self.params
        self.reporter = ctx.reporter
        url: str = p.url
        parts = urlsplit(url)
        if not parts.hostname:
            raise ParameterError(f"connector `{ctx.spec.name}`: parameter `url`: `{url}` "
                                 "names no host, expected mqtt://host:1883, "
                                 "mqtts://host:8883 or ws://host:port/path")
        self.tls = parts.scheme in ("mqtts", "ssl", "wss")
        self.websockets = parts.scheme in ("ws", "wss")
        self.ws_path = parts.path or "/mqtt"
        self.host = parts.hostname
        default_port = {"ws": 80, "wss": 443}.get(parts.scheme, 8883 if self.tls else 1883)
        self.port = parts.port or default_port
        self.username = unquote(parts.username) if parts.username else None
        self.password = unquote(parts.password) if parts.password else None
        self.topic = p.topic
        self.client_id = p.client_id or f"weir-{ctx.spec.name}-{uuid.uuid4().hex[:8]}"
        self.timeout_ms = p.timeout.secs * 1000 + p.timeout.nanos // 1_000_000
        self.qos = p.qos
        self.output = p.payload_output_type

    async def run(self, emit: Emit) -> None:
        import paho.mqtt.client as mqtt

        loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue()
        reporter = self.reporter

        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=self.client_id,
                             transport="websockets" if self.websockets else "tcp")
        if self.websockets:
            client.ws_set_options(path=self.ws_path)
        if self.username:
            client.username_pw_set(self.username, self.password)
        if self.tls:
            client.tls_set()
        client.reconnect_delay_set(min_delay=1, max_delay=60)

        def on_connect(cl, _userdata, _flags, reason, _props) -> None:
            if reason.is_failure:
                loop.call_soon_threadsafe(
                    reporter.error, f"MQTT broker refused the connection: {reason}"
                )
                return
            cl.subscribe(self.topic, qos=self.qos)
            loop.call_soon_threadsafe(
                reporter.info, f"connected to {self.host}:{self.port}, subscribed to "
                               f"`{self.topic}` (qos {self.qos})"
            )

        def on_disconnect(_cl, _userdata, _flags, reason, _props) -> None:
            if reason.is_failure or reason.value != 0:
                loop.call_soon_threadsafe(
                    reporter.error, f"MQTT connection lost ({reason}); reconnecting"
                )

        def on_connect_fail(_cl, _userdata) -> None:
            loop.call_soon_threadsafe(
                reporter.error, f"cannot reach the MQTT broker at {self.host}:{self.port}; "
                                "retrying"
            )

        def on_message(_cl, _userdata, message) -> None:
            loop.call_soon_threadsafe(queue.put_nowait, (message.topic, bytes(message.payload)))

        client.on_connect = on_connect
        client.on_disconnect = on_disconnect
        client.on_message = on_message
        client.on_connect_fail = on_connect_fail
        keepalive = max(5, self.timeout_ms // 1000)
        client.connect_async(self.host, self.port, keepalive=keepalive)
        client.loop_start()
        reporter.info(f"mqtt source: {self.host}:{self.port} topic `{self.topic}`, "
                      f"payload {self.output}")
        try:
            while True:
                batch = [await queue.get()]
                while not queue.empty() and len(batch) < MAX_BATCH:
                    batch.append(queue.get_nowait())
                await emit([ProduceRecord(self._value(t, payload)) for t, payload in batch])
        finally:
            client.disconnect()
            client.loop_stop()

    def _value(self, topic: str, payload: bytes) -> bytes:
        if self.output == "binary":
            return payload
        try:
            body = json.loads(payload)
        except ValueError:
            body = payload.decode("utf-8", errors="replace")
        return json.dumps({"mqtt_topic": topic, "payload": body}).encode()
