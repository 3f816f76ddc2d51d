"""The mqtt source subscribed to a real Mosquitto broker."""

from __future__ import annotations

import json
import time

import pytest

from tests.connectors.helpers import Running, source_spec, topic_records, wait_for
from tests.connectors.services import mosquitto  # noqa: F401 - fixture


def publish(url_port: int, topic: str, payloads: list[bytes]) -> None:
    import paho.mqtt.client as mqtt

    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.connect("127.0.0.1", url_port)
    client.loop_start()
    for payload in payloads:
        client.publish(topic, payload, qos=1).wait_for_publish(5)
    client.disconnect()
    client.loop_stop()


def subscribed(name: str) -> bool:
    from runtime.connectors.telemetry import log_path

    path = log_path(name)
    return path.exists() and "subscribed to" in path.read_text()


@pytest.mark.integration
@pytest.mark.parametrize("output", ["binary", "json"])
def test_messages_become_records(mosquitto, output):  # noqa: F811
    name = f"mqtt-{output}"
    spec = source_spec(name, "mqtt-source", name, url=mosquitto.url, topic="sensors/#",
                       payload_output_type=output, timeout={"secs": 10, "nanos": 0})
    with Running(spec) as run:
        wait_for(lambda: subscribed(name), what="the subscription")
        time.sleep(0.1)
        publish(mosquitto.port, "sensors/kitchen", [b'{"t": 21}', b"plain text"])
        records = wait_for(lambda: len(topic_records(name)) >= 2 and topic_records(name))
        assert run.stop() == 0
    values = [r.value for r in records]
    if output == "binary":
        assert values == [b'{"t": 21}', b"plain text"]
    else:
        assert [json.loads(v) for v in values] == [
            {"mqtt_topic": "sensors/kitchen", "payload": {"t": 21}},
            {"mqtt_topic": "sensors/kitchen", "payload": "plain text"},
        ]
