"""The http source against real HTTP and WebSocket servers on 127.0.0.1."""

from __future__ import annotations

import json

from runtime.connectors.telemetry import read_events, read_metrics
from tests.connectors.helpers import Running, source_spec, topic_records, wait_for
from tests.connectors.servers import FACTS, CatFacts, WebSocketFeed


def test_polls_endpoint_with_headers_and_user_agent():
    with CatFacts() as server:
        spec = source_spec("facts", "http-source", "cat-facts", endpoint=server.url + "/fact",
                           interval="50ms", headers=["Authorization: Bearer abc"],
                           header="X-Legacy: yes")
        with Running(spec) as run:
            records = wait_for(lambda: len(topic_records("cat-facts")) >= 3 and
                               topic_records("cat-facts"))
            code = run.stop()
    assert code == 0
    facts = [json.loads(r.value)["fact"] for r in records[:3]]
    assert facts == FACTS[:3]
    headers = server.requests[0]["headers"]
    assert headers["Authorization"] == "Bearer abc"
    assert headers["X-Legacy"] == "yes"
    assert headers["User-Agent"].startswith("weir/http-source")
    assert all(r.key is None for r in records)


def test_bad_responses_are_logged_and_survived():
    with CatFacts() as server:
        server.flaky_failures = 3
        spec = source_spec("flaky", "http-source", "flaky", endpoint=server.url + "/flaky",
                           interval="20ms")
        with Running(spec) as run:
            wait_for(lambda: topic_records("flaky"), timeout=20)
            code = run.stop()
    assert code == 0
    metrics = read_metrics("flaky")
    assert metrics.errors == 3
    assert "HTTP 500" in metrics.last_error
    errors = [e for e in read_events("flaky") if e.event == "error"]
    assert len(errors) == 3 and "upstream exploded" in errors[0].message
    assert json.loads(topic_records("flaky")[0].value)["fact"] == FACTS[0]


def test_unreachable_endpoint_is_retried_not_fatal():
    with CatFacts() as server:
        port = server.port
    spec = source_spec("down", "http-source", "down", endpoint=f"http://127.0.0.1:{port}/x",
                       interval="20ms")
    with Running(spec) as run:
        wait_for(lambda: read_metrics("down").errors >= 2, what="two failed polls")
        assert run.thread.is_alive()
        assert run.stop() == 0


def test_json_full_output():
    with CatFacts() as server:
        spec = source_spec("full", "http-source", "full", endpoint=server.url + "/fact",
                           interval="1s", output_type="json", output_parts="full")
        with Running(spec):
            records = wait_for(lambda: topic_records("full"))
    value = json.loads(records[0].value)
    assert value["status"]["code"] == 200
    assert value["header"]["content-type"] == "application/json"
    assert json.loads(value["body"])["fact"] == FACTS[0]


def test_text_full_and_json_body_output():
    with CatFacts() as server:
        text = source_spec("tfull", "http-source", "tfull", endpoint=server.url + "/fact",
                           interval="1s", output_parts="full")
        body = source_spec("jbody", "http-source", "jbody", endpoint=server.url + "/fact",
                           interval="1s", output_type="json")
        with Running(text), Running(body):
            t = wait_for(lambda: topic_records("tfull"))[0].value.decode()
            j = json.loads(wait_for(lambda: topic_records("jbody"))[0].value)
    assert t.startswith("HTTP/1.1 200 OK\n")
    assert "\n\n{" in t
    assert set(j) == {"body"} and "fact" in json.loads(j["body"])


def test_stream_mode_one_record_per_delimited_line():
    with CatFacts() as server:
        spec = source_spec("stream", "http-source", "stream", endpoint=server.url + "/stream",
                           stream="true", delimiter="\\n", interval="1s")
        with Running(spec):
            records = wait_for(lambda: len(topic_records("stream")) >= 5 and
                               topic_records("stream"))
    assert [r.value for r in records[:5]] == [f"line {i}".encode() for i in range(5)]


def test_websocket_endpoint_with_subscription():
    with WebSocketFeed() as feed:
        spec = source_spec("ws", "http-source", "ws-facts", endpoint=feed.url,
                           websocket_config={"subscription_messages": ['{"subscribe": "cats"}'],
                                             "ping_interval_ms": 1000})
        with Running(spec) as run:
            records = wait_for(lambda: len(topic_records("ws-facts")) >= 3 and
                               topic_records("ws-facts"))
            assert run.stop() == 0
    assert feed.subscriptions == ['{"subscribe": "cats"}']
    assert [json.loads(r.value)["n"] for r in records[:3]] == [0, 1, 2]


def test_websocket_single_subscription_message_the_official_connector_reads():
    """Fluvio's http-source reads `subscription_message` (one) beside the list."""
    with WebSocketFeed() as feed:
        spec = source_spec("ws1", "http-source", "ws-one", endpoint=feed.url,
                           websocket_config={"subscription_message": '{"subscribe": "dogs"}'})
        with Running(spec) as run:
            wait_for(lambda: len(topic_records("ws-one")) >= 1)
            assert run.stop() == 0
    assert feed.subscriptions == ['{"subscribe": "dogs"}']


def test_post_with_body_and_custom_user_agent():
    with CatFacts() as server:
        spec = source_spec("poster", "http-source", "posted", endpoint=server.url + "/sink",
                           method="POST", body='{"q": "cats"}', user_agent="my-agent/1",
                           interval="1s")
        with Running(spec):
            records = wait_for(lambda: topic_records("posted"))
    assert server.received[0] == b'{"q": "cats"}'
    assert server.requests[0]["headers"]["User-Agent"] == "my-agent/1"
    assert records[0].value == b"{}"


def test_bad_parameter_fails_at_start_with_a_clear_error():
    spec = source_spec("badparam", "http-source", "badparam", endpoint="ftp://x/",
                       interval="1s")
    code = Running(spec).__enter__().wait()
    assert code == 1
    # the words `weir validate` uses: the parameter, the value, the schemes it takes
    error = read_metrics("badparam").last_error
    assert "parameter `endpoint`: `ftp://x/` is not a URL with scheme http://" in error


def test_timeout_is_only_the_documented_parameter():
    """`timeout` is not an http-source parameter (validate calls it unknown), so it
    must not change the request timeout either: only `http_request_timeout` does."""
    from runtime.connectors.base import ConnectorContext
    from runtime.connectors.http_source import HttpSource

    def source(**params) -> HttpSource:
        spec = source_spec("t", "http-source", "t", endpoint="http://127.0.0.1:1/", **params)
        ctx = ConnectorContext(spec, None, "skip", None)
        return HttpSource(ctx)

    assert source(timeout="1s").request_timeout_ms == 30_000
    assert source(http_request_timeout="1s").request_timeout_ms == 1_000
