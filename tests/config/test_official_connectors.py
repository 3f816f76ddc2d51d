"""The official connectors Weir checks but cannot run: their parameters from Fluvio's docs
are checked to the key, `validate` says once that Weir cannot run them, and `connector
run` refuses them in the same words."""

from __future__ import annotations

import pytest

from runtime.config.connector_types import BUILTIN_TYPES, cannot_run_message
from runtime.config.validate import validate_text
from tests.config.helpers import diags, find, weir, where

KAFKA_SOURCE = """\
apiVersion: 0.1.0
meta:
  version: 0.2.5
  name: my-kafka-connector
  type: kafka-source
  topic: kafka-topic
kafka:
  url: "localhost:9092"
  topic: fluvio-topic
"""

KAFKA_SINK = """\
apiVersion: 0.1.0
meta:
  version: 0.2.7
  name: my-kafka-connector
  type: kafka-sink
  topic: kafka-topic
  secrets:
    - name: SSL_CERT_PEM
kafka:
  url: localhost:9092
  topic: fluvio-topic
  create-topic: true
  options: {acks: all}
  security:
    ssl_cert:
      pem: "${{ secrets.SSL_CERT_PEM }}"
    ssl_ca:
      file: /path/to/file
    security_protocol: ssl
"""

GRAPHITE = """\
apiVersion: 0.1.0
meta:
  version: 0.1.2
  name: weather-monitor
  type: graphite-sink
  topic: weather
graphite:
  metric-path: "weather.temperature.ca.sandiego"
  addr: "localhost:2003"
"""


@pytest.mark.parametrize("text", [KAFKA_SOURCE, KAFKA_SINK, GRAPHITE])
def test_docs_examples_are_valid_and_said_not_runnable_once(text):
    report = validate_text(text)
    assert report.valid, report.diagnostics
    infos = [d for d in report.diagnostics if d.code == "not-runnable"]
    assert len(infos) == 1 and infos[0].severity == "info" and infos[0].line == 5
    assert [d for d in report.diagnostics if d.code != "not-runnable"] == []


def test_kafka_typo_gets_did_you_mean():
    d = find(KAFKA_SOURCE.replace("  topic: fluvio-topic", "  topik: fluvio-topic"),
             "unknown-key")
    assert (d.severity, d.line, d.column) == ("warning", 9, 3)
    assert d.hint == "did you mean `topic`?"


def test_kafka_missing_required_topic():
    text = KAFKA_SOURCE.replace("  topic: fluvio-topic\n", "")
    d = find(text, "missing-field")
    assert d.severity == "error" and "`topic`" in d.message and "kafka" in d.message


def test_kafka_wrong_types():
    assert where(KAFKA_SOURCE + '  partition: "0"\n', "wrong-type") == ("error", 10, 14)
    assert where(KAFKA_SINK.replace("create-topic: true", "create-topic: yes please"),
                 "wrong-type")[0] == "error"
    assert where(KAFKA_SINK.replace("security_protocol: ssl", "security_protocol: sasl"),
                 "invalid-enum")[0] == "error"


def test_graphite_kebab_keys():
    d = find(GRAPHITE.replace("metric-path:", "metric_path:"), "unknown-key")
    assert d.hint == "did you mean `metric-path`?"
    assert where(GRAPHITE.replace("metric-path:", "metric_path:"), "missing-field")[0] == \
        "error"


def test_duckdb_needs_url():
    text = GRAPHITE.replace("graphite-sink", "duckdb-sink").split("graphite:")[0] + \
        "duckdb:\n  path: local.db\n"
    found = {d.code: d for d in diags(text)}
    assert "missing-field" in found and found["unknown-key"].hint == \
        "valid keys here: `url`"


LEGACY_SLACK = """\
name: my-slack-sink
version: 0.2.0
type: slack-sink
topic: slack-topic
secrets:
  WEBHOOK_URL: https://hooks.slack.com/services/T000/B000/XXXX
"""


def test_legacy_parameters_read_from_secrets():
    """The legacy connectors read some parameters from env vars, i.e. `secrets:`."""
    assert {d.code for d in diags(LEGACY_SLACK)} == {"not-runnable", "plaintext-secret"}
    d = find(LEGACY_SLACK.replace("  WEBHOOK_URL:", "  WEBHOOK:"), "missing-field")
    assert "webhook_url" in d.message


@pytest.mark.parametrize("empty", ["", ' ""'])
def test_legacy_empty_secret_is_one_error(empty):
    """The legacy parser read `NAME:` as an empty string: the connector would get an empty
    webhook URL, so that is the one error (not also a missing parameter)."""
    text = LEGACY_SLACK.replace(" https://hooks.slack.com/services/T000/B000/XXXX", empty)
    errs = [(d.code, d.line, d.column) for d in diags(text) if d.severity == "error"]
    assert errs == [("invalid-value", 6, 3)]


def test_legacy_postgres_source_and_dynamodb():
    pg = ("version: 0.2.0\nname: pg\ntype: postgres-source\ntopic: pg\nparameters:\n"
          "  publication: fluvio\nsecrets:\n  FLUVIO_PG_DATABASE_URL: postgres://u:p@h/db\n")
    d = find(pg, "missing-field")
    assert "`slot`" in d.message
    assert "missing-field" not in {x.code for x in diags(pg + "  FLUVIO_PG_SLOT: fluvio\n")}
    dyn = ("version: 0.2.0\nname: d\ntype: dynamodb-sink\ntopic: t\nparameters:\n"
           "  table-name: t\n  column-names: a,b\n  column-typs: N,S\n")
    d = find(dyn, "unknown-key")
    assert d.hint == "did you mean `column_types`?"


def test_legacy_kafka_and_sql_parameter_names():
    kafka = ("version: 0.3.2\nname: k\ntype: kafka-source\ntopic: t\nparameters:\n"
             "  kafka-url: localhost:9092\n  kafka-topic: in\n  kafka-partition: 0\n")
    assert {d.code for d in diags(kafka)} == {"not-runnable"}
    sink = ("version: 0.3.2\nname: k\ntype: kafka-sink\ntopic: t\nparameters:\n"
            "  kafka-url: localhost:9092\n  kafka-option: [\"acks:all\", \"linger.ms:5\"]\n")
    assert {d.code for d in diags(sink)} == {"not-runnable"}
    sql = ("version: 0.1.2\nname: s\ntype: sql-sink\ntopic: t\nparameters:\n"
           "  database-url: postgresql://u:p@h/db\n")
    assert diags(sql) == []


def test_every_checked_only_type_has_the_same_words_everywhere():
    for ctype in BUILTIN_TYPES.values():
        if not ctype.runnable:
            assert cannot_run_message(ctype.name).startswith(
                f"Weir can check a `{ctype.name}` config but cannot run it")


def test_connector_run_refuses_with_the_validate_words(tmp_path):
    config = tmp_path / "kafka.yaml"
    config.write_text(KAFKA_SOURCE)
    said = find(KAFKA_SOURCE, "not-runnable").message
    r = weir("connector", "run", str(config))
    assert r.returncode == 1, r.stderr
    assert said in r.stderr
    r = weir("connector", "create", "--config", str(config))  # before any cluster starts
    assert r.returncode == 1 and said in r.stderr, r.stderr


# -- where Weir's own connectors read more, or other spellings, than Fluvio's -------------

HTTP_SINK = """\
apiVersion: 0.1.0
meta:
  version: 0.2.9
  name: my-http-sink
  type: http-sink
  topic: http-sink-topic
http:
  endpoint: http://127.0.0.1/post
  backoff_min: 2s
"""


def test_http_sink_backoff_is_spelled_with_underscores_on_fluvio():
    assert diags(HTTP_SINK) == []
    d = find(HTTP_SINK.replace("backoff_min", "backoff-min"), "unofficial-key")
    assert (d.severity, d.line, d.column) == ("warning", 9, 3)
    assert d.hint == "write `backoff_min`"
    from runtime.config.load import load_connector_text

    spec = load_connector_text(HTTP_SINK.replace("backoff_min", "backoff-min"), env={})
    assert spec.parameters["backoff-min"] == "2s"  # Weir's sink reads either spelling


def test_weir_only_parameters_are_said_once_each():
    d = find(HTTP_SINK + "  retries: 3\n", "weir-only-key")
    assert (d.severity, d.line) == ("info", 10)
    assert "Fluvio's http-sink connector does not read it" in d.message
    mqtt = ("apiVersion: 0.1.0\nmeta:\n  version: 0.2.5\n  name: m\n  type: mqtt-source\n"
            "  topic: t\nmqtt:\n  url: mqtt://127.0.0.1\n  topic: a/#\n  qos: 1\n")
    assert [(x.code, x.line) for x in diags(mqtt)] == [("weir-only-key", 10)]


def test_websocket_config_keys_of_the_official_http_source():
    text = ("apiVersion: 0.1.0\nmeta:\n  version: 0.3.7\n  name: ws\n  type: http-source\n"
            "  topic: t\nhttp:\n  endpoint: wss://example.com/ws\n  websocket_config:\n"
            "    subscription_message: hello\n    reconnection_policy:\n"
            "      max_retries: 5\n      base_delay_ms: 100\n      max_delay_ms: 1000\n")
    assert [(d.code, d.line) for d in diags(text)] == [("not-used-by-weir", 11)]
    d = find(text.replace("      max_delay_ms: 1000\n", ""), "missing-field")
    assert "max_delay_ms" in d.message
