"""Weir's validator against Fluvio's own connector-config test data and every connector
config in Fluvio's docs (fixtures and verdicts in fluvio_conformance/, written by
scripts/refresh-fluvio-conformance.py; see the README there).

Besides the verdicts, every claim that Fluvio ignores a key is checked against an
independent table of the keys Fluvio's parser (and the official connectors) read, written
here from Fluvio's structs rather than from Weir's models.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from runtime.config.validate import analyze_file

CONF = Path(__file__).parent / "fluvio_conformance"
EXPECTED = json.loads((CONF / "expected.json").read_text())

# What Fluvio reads, from fluvio-connector-package v0.17.3 (ConnectorConfigV1/V2,
# MetaConfigV1/V2, ProducerParameters, ConsumerParameters, ConsumerOffsetConfig, serde's
# Duration, SecretConfig, TransformationStep, Lookback) and fluvio-controlplane-metadata
# (TopicConfig and what it holds). `*` is any one key, `[]` any list item.
_CURRENT = """
apiVersion meta transforms
meta.name meta.type meta.topic meta.version meta.producer meta.consumer meta.secrets
meta.producer.linger meta.producer.compression meta.producer.batch-size
meta.producer.batch_size
meta.consumer.partition meta.consumer.max-bytes meta.consumer.max_bytes meta.consumer.id
meta.consumer.offset meta.consumer.offset.start meta.consumer.offset.strategy
meta.consumer.offset.flush-period meta.consumer.offset.flush-period.secs
meta.consumer.offset.flush-period.nanos
meta.secrets[].name
transforms[].uses transforms[].lookback transforms[].with transforms[].with.*
transforms[].lookback.last transforms[].lookback.age
"""
_TOPIC_V2 = """
meta.topic.version meta.topic.meta meta.topic.meta.name meta.topic.partition
meta.topic.partition.count meta.topic.partition.max-size meta.topic.partition.replication
meta.topic.partition.ignore-rack-assignment meta.topic.partition.maps
meta.topic.partition.maps[].id meta.topic.partition.maps[].replicas
meta.topic.partition.maps[].mirror meta.topic.retention meta.topic.retention.time
meta.topic.retention.segment-size meta.topic.compression meta.topic.compression.type
meta.topic.deduplication meta.topic.deduplication.bounds
meta.topic.deduplication.bounds.count meta.topic.deduplication.bounds.age
meta.topic.deduplication.filter meta.topic.deduplication.filter.transform
meta.topic.deduplication.filter.transform.uses meta.topic.deduplication.filter.transform.with
meta.topic.deduplication.filter.transform.with.*
"""
# the official connectors' own sections (their config structs and docs tables)
_SECTIONS = {
    "http-source": "http http.endpoint http.body http.user_agent http.method http.interval "
                   "http.stream http.delimiter http.headers http.output_parts "
                   "http.output_type http.websocket_config "
                   "http.websocket_config.subscription_message "
                   "http.websocket_config.subscription_messages "
                   "http.websocket_config.ping_interval_ms "
                   "http.websocket_config.reconnection_policy "
                   "http.websocket_config.reconnection_policy.*",
    "http-sink": "http http.endpoint http.method http.headers http.user_agent "
                 "http.http_request_timeout http.http_connect_timeout http.backoff_min "
                 "http.backoff_max",
    "sql-sink": "sql sql.url sql.backoff-min sql.backoff-max",
    "mqtt-source": "mqtt mqtt.url mqtt.topic mqtt.client_id mqtt.timeout mqtt.timeout.secs "
                   "mqtt.timeout.nanos mqtt.payload_output_type",
    "kafka-source": "kafka kafka.url kafka.topic kafka.partition kafka.group "
                    "kafka.fetch-max-bytes-per-partition",
    "kafka-sink": "kafka kafka.url kafka.topic kafka.partition kafka.options kafka.options.* "
                  "kafka.create-topic kafka.security kafka.security.* kafka.security.*.file "
                  "kafka.security.*.pem",
    "duckdb-sink": "duckdb duckdb.url",
    "graphite-sink": "graphite graphite.metric-path graphite.addr",
}
# Fluvio 0.10's legacy ConnectorConfig; every parameter becomes a command-line flag (the
# connector uses it or refuses to start), and every secret an environment variable
_LEGACY = """
version name type topic parameters secrets producer consumer transforms
parameters.* parameters.*.* secrets.*
producer.linger producer.compression producer.batch-size consumer.partition
transforms[].uses transforms[].lookback transforms[].with transforms[].with.*
transforms[].lookback.last transforms[].lookback.age
"""


def _pattern(text: str) -> re.Pattern[str]:
    words = "|".join(re.escape(w).replace(r"\*", r"[^.\[\]]+").replace(r"\[\]", r"\[\d+\]")
                     for w in text.split())
    return re.compile(f"^(?:{words})$")


def fluvio_reads(fmt: str, api_version: str | None, type_name: str | None, path: str) -> bool:
    """Whether Fluvio reads the key at dotted `path` (list items as `[i]`)."""
    if fmt == "legacy":
        return bool(_pattern(_LEGACY).match(path))
    text = _CURRENT + (_TOPIC_V2 if api_version == "0.2.0" else "")
    text += " " + _SECTIONS.get(type_name or "", "")
    return bool(_pattern(text).match(path))


def _dotted(path: tuple) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else ("." if out else "") + str(part)
    return out


def _key_path(analysis, line: int, column: int) -> str | None:
    for path, pos in analysis.loaded.positions.items():
        if path and (pos.key_line, pos.key_column) == (line, column):
            return _dotted(path)
    return None


def _cases() -> list[tuple[str, str]]:
    return [(group, name) for group in ("fluvio", "docs") for name in sorted(EXPECTED[group])]


def test_every_fixture_is_listed():
    for group in ("fluvio", "docs"):
        on_disk = {p.name for p in (CONF / group).iterdir()}
        assert on_disk == set(EXPECTED[group]), group
    assert len(EXPECTED["fluvio"]) >= 15 and len(EXPECTED["docs"]) >= 50


@pytest.mark.parametrize("name", sorted(EXPECTED["fluvio"]))
def test_fluvio_test_data_verdict(name):
    """Accepted exactly when Fluvio's tests accept it; a rejected file's error where
    Fluvio's says, when its test gives a line."""
    entry = EXPECTED["fluvio"][name]
    report = analyze_file(CONF / "fluvio" / name).report
    assert report.valid == (entry["fluvio"] == "accepted"), report.diagnostics
    assert [[d.code, d.line, d.column] for d in report.errors] == entry["errors"]
    said = re.search(r"at line (\d+) column (\d+)", entry["fluvio_error"] or "")
    if said:
        assert (report.errors[0].line, report.errors[0].column) == \
            (int(said.group(1)), int(said.group(2)))
    if entry["fluvio_error"] and "Secret name" in entry["fluvio_error"]:
        assert entry["fluvio_error"] in report.errors[0].message


@pytest.mark.parametrize("name", sorted(EXPECTED["docs"]))
def test_docs_config_verdict(name):
    """Each docs example as recorded; every one with an error has its reason."""
    entry = EXPECTED["docs"][name]
    report = analyze_file(CONF / "docs" / name).report
    assert [[d.code, d.line, d.column] for d in report.errors] == entry["errors"]
    assert report.valid == entry["weir_valid"]
    assert bool(entry["errors"]) == bool(entry["reason"])
    for code in {e[0] for e in entry["errors"]}:
        assert code in entry["reason"] or code == "missing-field", (code, entry["reason"])


@pytest.mark.parametrize("group,name", _cases())
def test_no_false_claim_that_fluvio_ignores_a_key(group, name):
    analysis = analyze_file(CONF / group / name)
    if analysis.loaded is None:
        return  # not YAML: nothing is claimed about any key
    a = analysis
    for d in a.report.diagnostics:
        claims = d.code in ("unknown-key", "misplaced-key", "ignored-key", "unofficial-key",
                            "weir-only-key") or "Fluvio ignores" in d.message
        if d.code == "ignored-key" and ("does not produce" in d.message
                                        or "does not consume" in d.message):
            claims = False  # said of the official connector's direction, not of Fluvio
        path = _key_path(a, d.line, d.column) if d.line else None
        if claims:
            assert path is not None, d
            assert not fluvio_reads(a.format, a.api_version, a.type_name, path), \
                f"{name}: false claim on `{path}`: {d.message}"
        if d.code == "not-used-by-weir":
            assert "Fluvio ignores" not in d.message
            assert fluvio_reads(a.format, a.api_version, a.type_name, path), (path, d)


def test_the_oracle_knows_what_fluvio_reads():
    """The table itself, on the keys issue 16 found misreported."""
    assert fluvio_reads("current", "0.1.0", "mqtt", "meta.consumer.max_bytes")
    assert fluvio_reads("current", "0.1.0", None, "meta.producer.batch_size")
    assert fluvio_reads("current", "0.2.0", None, "meta.topic.version")
    assert fluvio_reads("current", "0.2.0", None, "meta.topic.partition.ignore-rack-assignment")
    assert not fluvio_reads("current", "0.1.0", None, "meta.topic.version")
    assert not fluvio_reads("current", "0.1.0", None, "meta.create-topic")
    assert not fluvio_reads("current", "0.1.0", "sql-sink", "sql.rust_log")
    assert fluvio_reads("legacy", None, "http-source", "transforms[0].uses")
    assert fluvio_reads("legacy", None, "sql-sink", "parameters.database-url")
    assert fluvio_reads("current", "0.1.0", "http-sink", "http.backoff_min")
    assert not fluvio_reads("current", "0.1.0", "http-sink", "http.backoff-min")
    assert not fluvio_reads("current", "0.1.0", "sql-sink", "sql.columns")
