"""Records a SmartModule fails on: logged with their offset and counted; `on-error: skip`
goes on, `stop` ends the connector at that record. Real modules from examples/."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

from runtime.config.spec import ConnectorSpec, ConsumerOptions, ProducerOptions
from runtime.connectors.telemetry import read_events, read_metrics
from smartmodules.spec import TransformSpec
from tests.connectors.helpers import Running, committed, produce, topic_records, wait_for
from tests.connectors.servers import FACTS, CatFacts

PREBUILT = Path(__file__).resolve().parents[2] / "examples" / "smartmodules" / "prebuilt"
PARSE_INT = TransformSpec(uses=str(PREBUILT / "parse_int.wasm"))
CATFACT = TransformSpec(uses=str(PREBUILT / "catfact_map.wasm"))
CONTAINS = TransformSpec(uses=str(PREBUILT / "contains_filter.wasm"),
                         params={"contains": "7"})


def generator(name: str, template: str, count: int, *transforms: TransformSpec,
              on_error: str = "skip") -> ConnectorSpec:
    return ConnectorSpec(
        name=name, type="generator-source", kind="source", topic=name,
        parameters={"rate": "100000", "count": str(count), "template": template},
        transforms=transforms, producer=ProducerOptions(linger_ms=5), on_error=on_error)


def test_sink_skip_policy_drops_bad_records_and_goes_on():
    produce("mixed", ["1", "two", "3", "", "x5", "6"])
    sink = ConnectorSpec(
        name="skip", type="http-sink", kind="sink", topic="mixed",
        consumer=ConsumerOptions(start="beginning"), transforms=(PARSE_INT,))
    with CatFacts() as server:
        sink = dataclasses.replace(sink, parameters={"endpoint": server.url + "/sink"})
        with Running(sink) as run:
            wait_for(lambda: committed("skip", "mixed") == 6)
            assert run.stop() == 0
    assert server.received == [b"1", b"3", b"6"]
    errors = [e for e in read_events("skip") if e.event == "error"]
    assert [e.offset for e in errors] == [1, 4]
    assert "parse-int" in errors[0].message or "parse_int" in errors[0].message
    metrics = read_metrics("skip")
    assert (metrics.records_in, metrics.records_out, metrics.errors, metrics.filtered) == (
        6, 3, 2, 1)


def test_sink_stop_policy_commits_up_to_the_bad_record():
    produce("mixed2", ["1", "2", "bad", "4"])
    with CatFacts() as server:
        sink = ConnectorSpec(
            name="stop", type="http-sink", kind="sink", topic="mixed2",
            parameters={"endpoint": server.url + "/sink"},
            consumer=ConsumerOptions(start="beginning"), transforms=(PARSE_INT,),
            on_error="stop")
        assert Running(sink).__enter__().wait() == 1
    assert server.received == [b"1", b"2"]
    assert committed("stop", "mixed2") == 2  # a restart meets the bad record again
    error = next(e for e in read_events("stop") if e.event == "error")
    assert error.offset == 2 and "invalid digit" in error.message


def test_source_stop_policy_keeps_what_came_before():
    spec = generator("src-stop", "{{choice:1|2|3|x}}", 200, PARSE_INT, on_error="stop")
    assert Running(spec).__enter__().wait() == 1
    values = [r.value for r in topic_records("src-stop")]
    assert all(v in (b"1", b"2", b"3") for v in values)  # what came before the bad one
    metrics = read_metrics("src-stop")
    assert metrics.errors == 1 and metrics.records_out == len(values) < 200


def test_source_skip_policy_on_generated_records():
    spec = generator("src-skip", "{{choice:1|x}}", 300, PARSE_INT)
    assert Running(spec).__enter__().wait() == 0
    metrics = read_metrics("src-skip")
    assert metrics.records_in == 300
    assert metrics.records_out + metrics.errors == 300
    assert metrics.errors > 0 and metrics.records_out > 0
    assert {r.value for r in topic_records("src-skip")} == {b"1"}
    error = next(e for e in read_events("src-skip") if e.event == "error")
    from runtime.connectors.telemetry import log_path

    assert f"(input record {error.offset})" in log_path("src-skip").read_text()


def test_filter_then_map_chain_on_http_source():
    with CatFacts() as server:
        spec = ConnectorSpec(
            name="chain", type="http-source", kind="source", topic="facts-chain",
            parameters={"endpoint": server.url + "/fact", "interval": "20ms"},
            transforms=(CONTAINS, CATFACT), producer=ProducerOptions(linger_ms=5))
        with Running(spec):
            records = wait_for(lambda: len(topic_records("facts-chain")) >= 2 and
                               topic_records("facts-chain"))
    # only the facts containing "7" pass the filter; the map leaves the fact as a JSON string
    assert [json.loads(r.value) for r in records[:2]] == [FACTS[1], FACTS[1]]
    assert read_metrics("chain").filtered >= 2
