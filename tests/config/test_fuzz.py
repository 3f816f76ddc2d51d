"""Property tests: no text, random or mutated, makes the validator raise."""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.config.convert import ConvertFailed, convert_legacy
from runtime.config.diagnostics import CODES
from runtime.config.load import ConfigInvalid, load_connector_text
from runtime.config.validate import analyze_text, validate_text
from tests.conftest import REPO

EXAMPLES = sorted((REPO / "examples" / "connectors").glob("**/*.yaml"))
LEGACY_SEEDS = [
    "# c\nversion: 0.3.0\nname: m\ntype: mqtt\ntopic: t  # t\nparameters:\n"
    "  mqtt_topic: a/#\n  timeout: 30\n  map: x\n  rust-log: info\nsecrets:\n"
    "  MQTT_URL: mqtt://u:pw@h:1883\n",
    "version: 0.3.0\nname: s\ntype: sql-sink\ntopic: t\nparameters:\n"
    "  url: sqlite:///x.db\n  fluvio-partition: 1\n  filter: f\n  on-error: stop\n"
    "consumer:\n  id: c\n",
    "version: latest\nname: h\ntype: http\ntopic: h\nparameters:\n  endpoint: https://x\n"
    "  interval: 5\n  header: 'A: b'\n  output-type: json\n  aggregate: agg\n"
    "  aggregate-initial-value: '0'\nproducer: {linger: 1ms}\ncreate-topic: true\n",
]
SEEDS = [p.read_text() for p in EXAMPLES] + LEGACY_SEEDS
# WEIR_FUZZ_EXAMPLES=5000 for a longer hunt than the suite's quick pass.
EXAMPLES_N = int(os.environ.get("WEIR_FUZZ_EXAMPLES", "100"))
FAST = settings(max_examples=EXAMPLES_N, deadline=None,
                suppress_health_check=[HealthCheck.too_slow])


def _check(text: str) -> None:
    report = validate_text(text, "fuzz.yaml")
    for d in report.diagnostics:
        assert d.code in CODES
        assert d.severity in ("error", "warning", "info")
        assert d.message
        assert d.line is None or d.line >= 1
        assert d.column is None or d.column >= 1
    assert report.valid == (not report.errors)
    try:
        load_connector_text(text, "fuzz.yaml", env={})
    except ConfigInvalid as exc:
        assert exc.diagnostics


@FAST
@given(st.text(max_size=300))
def test_random_text(text):
    _check(text)


_scalars = st.one_of(st.none(), st.booleans(), st.integers(-5, 10**6),
                     st.floats(allow_nan=False), st.text(max_size=20),
                     st.sampled_from(["10s", "1 MB", "all", "gzip", "${{ secrets.X }}",
                                      "http-source", "0.1.0", "https://x", "-1", "1.5s"]))
_keys = st.one_of(st.text(max_size=12), st.sampled_from(
    ["apiVersion", "meta", "version", "name", "type", "topic", "http", "parameters",
     "transforms", "uses", "with", "producer", "consumer", "partition", "offset", "secrets",
     "interval", "endpoint", "generator", "sql", "columns", "create-topic", "lookback"]))
_values = st.recursive(_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(_keys, inner, max_size=5)), max_leaves=25)


@settings(max_examples=max(50, EXAMPLES_N // 2), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(_keys, _values, max_size=8))
def test_random_structures(data):
    _check(yaml.safe_dump(data, sort_keys=False))


@st.composite
def _mutated(draw):
    text = draw(st.sampled_from(SEEDS))
    lines = text.splitlines(keepends=True)
    for _ in range(draw(st.integers(1, 4))):
        if not lines:
            break
        i = draw(st.integers(0, len(lines) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "indent", "dedent", "replace",
                                   "insert", "truncate", "swap"]))
        if op == "delete":
            del lines[i]
        elif op == "duplicate":
            lines.insert(i, lines[i])
        elif op == "indent":
            lines[i] = "  " + lines[i]
        elif op == "dedent":
            lines[i] = lines[i][2:] if lines[i].startswith("  ") else lines[i].lstrip()
        elif op == "replace":
            line = lines[i]
            if line.strip():
                j = draw(st.integers(0, max(0, len(line) - 2)))
                lines[i] = line[:j] + draw(st.text(max_size=5)) + line[j + 1:]
        elif op == "insert":
            lines.insert(i, draw(st.sampled_from(
                ["  foo: bar\n", "- x\n", "&a b: *a\n", "\t\n", "meta:\n", "  ? [a]\n  : b\n",
                 "x: !!python/name:os.system\n", "y: *nope\n", "---\n", "  <<: {a: 1}\n"])))
        elif op == "truncate":
            lines = lines[:i]
        elif op == "swap" and i + 1 < len(lines):
            lines[i], lines[i + 1] = lines[i + 1], lines[i]
    return "".join(lines)


@FAST
@given(_mutated())
def test_mutated_examples(text):
    _check(text)


@settings(max_examples=max(60, EXAMPLES_N // 3), deadline=None,
          suppress_health_check=[HealthCheck.too_slow])
@given(_mutated())
def test_convert_never_raises_unexpectedly(text):
    a = analyze_text(text)
    try:
        result = convert_legacy(text)
    except ConvertFailed:
        assert a.format != "legacy" or not a.report.valid
        return
    assert validate_text(result.text).valid


def test_seeds_exist():
    assert SEEDS and all(isinstance(Path(p), Path) for p in EXAMPLES)
