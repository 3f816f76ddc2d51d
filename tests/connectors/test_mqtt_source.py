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


@pytest.mark.integration
def test_reconnects_and_resubscribes_after_the_broker_restarts():
    from tests.connectors.services import Mosquitto

    broker = Mosquitto().start()
    try:
        spec = source_spec("mqtt-again", "mqtt-source", "mqtt-again", url=broker.url,
                           topic="t/#")
        with Running(spec) as run:
            wait_for(lambda: subscribed("mqtt-again"))
            publish(broker.port, "t/1", [b"before"])
            wait_for(lambda: topic_records("mqtt-again"))
            broker.proc.terminate()
            broker.proc.wait(10)
            broker.start()  # same port, fresh broker without our subscription
            from runtime.connectors.telemetry import log_path

            wait_for(lambda: log_path("mqtt-again").read_text().count("subscribed to") >= 2,
                     timeout=30, what="the second subscription")
            publish(broker.port, "t/2", [b"after"])
            wait_for(lambda: len(topic_records("mqtt-again")) >= 2)
            assert run.stop() == 0
    finally:
        broker.stop()
    assert [r.value for r in topic_records("mqtt-again")] == [b"before", b"after"]
