"""Each value form, accepted exactly when Fluvio accepts it. The forms come from Fluvio's
own tests (fluvio-connector-package's config tests, the topic config and deduplication
tests in fluvio-controlplane-metadata, v0.17.3) and from the crates they use (bytesize,
humantime, serde's Duration)."""

from __future__ import annotations

import pytest

from runtime.config.load import load_connector_text
from runtime.config.validate import validate_text
from runtime.config.values import ValueProblem, parse_bytes, parse_duration

SINK = """\
apiVersion: 0.2.0
meta:
  version: 0.1.0
  name: my-test-mqtt
  type: http-sink
  topic:
    meta:
      name: test-topic
{topic}  consumer:
{consumer}  producer:
{producer}http:
  endpoint: http://127.0.0.1/post
"""


def config(topic: str = "", consumer: str = "    partition: all\n",
           producer: str = "    linger: 1ms\n") -> str:
    return SINK.format(topic=topic, consumer=consumer, producer=producer)


def errors(text: str) -> list[str]:
    return [d.code for d in validate_text(text).errors]


# -- byte sizes: bytesize's serde (integers, or strings FromStr parses) -------------------

@pytest.mark.parametrize("text,n", [
    ("44.0 MB", 44_000_000), ("1 MB", 1_000_000), ("1.0 KB", 1000), ("2.0 KB", 2000),
    ("1600", 1600), ("1KiB", 1024), ("1.5 kib", 1536), (".5 KB", 500), ("+5", 5),
    ("1 mB", 1_000_000), ("3 MB", 3_000_000),
])
def test_byte_sizes_fluvio_accepts(text, n):
    assert parse_bytes(text) == n


@pytest.mark.parametrize("text", ["1aoeu", "1.5", " 1 MB", "1 MB ", "MB", "", "-1", "1e3",
                                  "1 XB"])
def test_byte_sizes_fluvio_refuses(text):
    with pytest.raises(ValueProblem):
        parse_bytes(text)


@pytest.mark.parametrize("value,ok", [
    ('"44.0 MB"', True), ("1600", True), ("1.0 KB", True), ("1.5", False), ("-1", False),
    ("true", False), ("1aoeu", False),
])
def test_batch_size_and_max_bytes_values(value, ok):
    """`batch_size`/`max_bytes` are serde aliases; a YAML float is refused."""
    text = config(producer=f"    batch_size: {value}\n",
                  consumer=f"    max_bytes: {value}\n")
    assert (errors(text) == []) is ok, errors(text)


def test_aliases_reach_the_runtime():
    spec = load_connector_text(config(producer="    batch_size: 1600\n",
                                      consumer="    max_bytes: 1400\n"), env={})
    assert spec.producer.batch_size_bytes == 1600 and spec.consumer.max_bytes == 1400


# -- durations: humantime ------------------------------------------------------------------

@pytest.mark.parametrize("text,ms", [
    ("1ms", 1), ("2m", 120_000), ("1m", 60_000), ("1h", 3_600_000), ("30s", 30_000),
    ("10s", 10_000), ("1 0s", 10_000), ("2h 37min", 9_420_000), ("32ms", 32),
    ("5 millis", 5), ("1000000 nanos", 1), ("1h30m", 5_400_000),
])
def test_durations_fluvio_accepts(text, ms):
    assert parse_duration(text) == ms


@pytest.mark.parametrize("text", ["1", "1.5s", "10 parsecs", "", "-1s", "1s,", "s"])
def test_durations_fluvio_refuses(text):
    with pytest.raises(ValueProblem):
        parse_duration(text)


def test_linger_one_is_fluvios_error():
    text = config(producer='    linger: "1"\n')
    d = validate_text(text).errors[0]
    assert d.code == "invalid-duration"
    assert 'invalid value: string "1", expected a duration' in d.message
    assert errors(config(producer="    linger: 1\n")) == ["invalid-duration"]


@pytest.mark.parametrize("flush,ok", [
    ("{secs: 160, nanos: 0}", True), ("{secs: 2, nanos: 0}", True),
    ("{secs: 1, nanos: 1500000000}", True),   # serde carries nanos into secs
    ("{secs: 10}", False), ("{nanos: 0}", False), ("{secs: 1, nanos: 0, ms: 1}", False),
    ("{secs: -1, nanos: 0}", False), ("10s", False),
])
def test_flush_period_is_serdes_duration(flush, ok):
    text = config(consumer="    offset:\n      strategy: auto\n"
                  f"      flush-period: {flush}\n")
    assert (errors(text) == []) is ok, errors(text)


# -- offsets -----------------------------------------------------------------------------

@pytest.mark.parametrize("start,ok", [
    ("{absolute: 100}", True), ("{absolute: 11}", True), ("{absolute: -1}", True),
    ("beginning", True), ("end", True), ("{from-end: 12}", True), ("{from-beginning: 14}", True),
    ("{from-beginning: 5}", True), ("{from-end: -1}", False), ("{from_end: 1}", False),
    ("{absolute: 1, from-end: 2}", False), ("Beginning", False), ("0", False),
])
def test_offset_start_forms(start, ok):
    text = config(consumer=f"    offset:\n      strategy: auto\n      start: {start}\n")
    assert (errors(text) == []) is ok, errors(text)


def test_offset_start_is_optional_and_strategy_required():
    assert errors(config(consumer="    offset:\n      strategy: manual\n")) == []
    assert errors(config(consumer="    offset:\n      start: end\n")) == \
        ["offset-needs-strategy"]


# -- compression: lowercase for the producer, capitalised for a 0.2.0 topic ----------------

@pytest.mark.parametrize("name,ok", [
    ("gzip", True), ("none", True), ("snappy", True), ("lz4", True), ("zstd", True),
    ("gzipaoeu", False), ("Lz4", False), ("GZIP", False),
])
def test_producer_compression(name, ok):
    assert (errors(config(producer=f"    compression: {name}\n")) == []) is ok


@pytest.mark.parametrize("name,ok", [
    ("Lz4", True), ("Gzip", True), ("None", True), ("Snappy", True), ("Zstd", True),
    ("Any", True), ("lz4", False), ("LZ4", False),
])
def test_topic_compression(name, ok):
    text = config(topic=f"    compression:\n      type: {name}\n")
    assert (errors(text) == []) is ok, errors(text)


# -- partitions ---------------------------------------------------------------------------

@pytest.mark.parametrize("value,ok", [
    ("1", True), ("10", True), ("[120, 230]", True), ("[0, 1]", True), ("all", True),
    ("[]", True), ("-1", False), ('"1"', False), ("All", False), ("[0, all]", False),
])
def test_consumer_partition_forms(value, ok):
    assert (errors(config(consumer=f"    partition: {value}\n")) == []) is ok


# -- the 0.2.0 topic map: Fluvio's full topic config test --------------------------------

FULL_TOPIC = """\
    version: 0.1.1
    partition:
      count: 3
      max-size: 1.0 KB
      replication: 2
      ignore-rack-assignment: true
      maps:
      - id: 1
        replicas:
        - 1
        - 2
    retention:
      time: 2m
      segment-size: 2.0 KB
    compression:
      type: Lz4
    deduplication:
      bounds:
        count: 100
        age: 1m
      filter:
        transform:
          uses: fluvio/dedup-bloom-filter@0.1.0
"""


def test_full_topic_config_is_accepted_and_what_weir_skips_is_said():
    report = validate_text(config(topic=FULL_TOPIC))
    assert report.valid, report.errors
    skipped = {d.message.split("`")[1] for d in report.diagnostics
               if d.code == "not-used-by-weir"}
    assert {"meta.topic.partition.replication", "meta.topic.partition.ignore-rack-assignment",
            "meta.topic.partition.maps", "meta.topic.deduplication"} <= skipped
    assert "meta.topic.version" not in skipped
    assert not any("Fluvio ignores" in d.message for d in report.diagnostics)
    spec = load_connector_text(config(topic=FULL_TOPIC), env={})
    assert spec.topic_options.partitions == 3
    assert spec.topic_options.retention_ms == 120_000
    assert spec.topic_options.segment_bytes == 2000


@pytest.mark.parametrize("bounds,code", [
    ("count: 0\n        age: 30s", "invalid-value"),      # count must be non-zero
    ("age: 30s", "missing-field"),                          # missing field `count`
])
def test_deduplication_bounds(bounds, code):
    topic = ("    deduplication:\n      bounds:\n        " + bounds + "\n"
             "      filter:\n        transform:\n          uses: x\n")
    assert errors(config(topic=topic)) == [code]


@pytest.mark.parametrize("topic,ok", [
    ("    meta:\n      name: test-topic\n", True),   # Fluvio's deserialize_with_topic_config
    ("test-topic\n", False),                          # 0.2.0's topic is a TopicConfig map
])
def test_topic_is_a_map_in_0_2_0(topic, ok):
    text = SINK.split("  topic:\n")[0] + "  topic:" + ("\n" if ok else " ") + topic + \
        "http:\n  endpoint: http://127.0.0.1/post\n"
    assert (errors(text) == []) is ok, errors(text)


@pytest.mark.parametrize("value", ["123", "true", ""])
def test_topic_name_must_be_a_string_in_0_1_0(value):
    text = SINK.replace("apiVersion: 0.2.0", "apiVersion: 0.1.0").split("  topic:\n")[0] + \
        f"  topic: {value}\nhttp:\n  endpoint: http://127.0.0.1/post\n"
    assert errors(text) == ["wrong-type"]
