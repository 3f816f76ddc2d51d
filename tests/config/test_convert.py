"""`weir config convert`: legacy to apiVersion 0.1.0, comments kept, result valid."""

from __future__ import annotations

import os
import stat

import pytest

from runtime.config.convert import ConvertFailed, convert_legacy
from runtime.config.load import load_connector, load_connector_text
from runtime.config.validate import analyze_text, validate_text
from tests.config.helpers import weir
from tests.conftest import REPO, run_weir

LEGACY = """\
# connect.yml: cat facts
version: 0.3.0
name: cat-facts   # the connector's name
type: http
topic: cat-facts
direction: source
# where to poll
parameters:
  # the API
  endpoint: https://catfact.ninja/fact
  interval: 10   # seconds, as old releases took it
  output-type: json
  header: "Authorization: Bearer hunter2hunter2"
  # shape each record
  map: "catfact-map"
  filter: cat-filter
  rust-log: debug
secrets:
  API_KEY: hunter2hunter2
producer:
  linger: 1ms
  compression: gzip
  batch-size: 1 MB
# the end
"""


def test_round_trip_validates_and_keeps_comments():
    result = convert_legacy(LEGACY)
    text = result.text
    report = validate_text(text)
    assert report.valid, report.diagnostics
    for comment in ("# connect.yml: cat facts", "# the connector's name", "# where to poll",
                    "# the API", "# seconds, as old releases took it", "# shape each record",
                    "# the end"):
        assert comment in text
    assert result.kept_comments
    assert text.splitlines()[1] == "apiVersion: 0.1.0"
    assert "  type: http-source" in text
    assert "hunter2hunter2" not in text
    assert result.secrets == {"API_KEY": "hunter2hunter2"}


def test_converted_config_means_the_same():
    old = load_connector_text(LEGACY, env={})
    result = convert_legacy(LEGACY)
    new = load_connector_text(result.text, secrets=result.secrets, env={})
    assert (new.name, new.type, new.kind, new.topic) == (old.name, old.type, old.kind, old.topic)
    assert new.parameters == old.parameters
    assert new.parameters["interval"] == "10s"
    assert new.parameters["output_type"] == "json"
    assert new.parameters["headers"] == ["Authorization: Bearer hunter2hunter2"]
    assert [t.uses for t in new.transforms] == ["catfact-map", "cat-filter"]
    assert new.producer == old.producer
    assert "hunter2hunter2" in new.secret_values


def test_sink_partition_and_consumer():
    text = ("version: 0.3.0\nname: to-web\ntype: http-sink\ntopic: events\n"
            "parameters:\n  endpoint: https://example.com/in\n  fluvio-partition: 2\n"
            "consumer:\n  id: web\n")
    result = convert_legacy(text)
    spec = load_connector_text(result.text, env={})
    assert spec.kind == "sink" and spec.consumer.partitions == (2,)
    assert spec.consumer.id == "web"


def test_flow_style_falls_back_to_regenerating():
    text = ("# header comment\n{version: 0.3.0, name: a, type: http, topic: a, "
            "parameters: {endpoint: 'https://x', map: m}}\n")
    result = convert_legacy(text)
    assert not result.kept_comments
    assert result.text.startswith("# header comment\n")
    assert validate_text(result.text).valid
    assert [t.uses for t in load_connector_text(result.text, env={}).transforms] == ["m"]


def test_unknown_type_keeps_its_parameters():
    text = ("version: 0.3.0\nname: k\ntype: kafka\ntopic: t\ndirection: source\n"
            "parameters:\n  url: localhost:9092\n  partition: 1\n")
    result = convert_legacy(text)
    a = analyze_text(result.text)
    assert a.report.valid
    assert "kafka:\n  url: localhost:9092" in result.text


def test_invalid_legacy_is_refused_with_its_errors():
    with pytest.raises(ConvertFailed) as info:
        convert_legacy(LEGACY.replace("compression: gzip", "compression: gzipaoeu"))
    assert info.value.diagnostics and "gzipaoeu" in info.value.message


def test_current_format_is_refused():
    with pytest.raises(ConvertFailed, match="already"):
        convert_legacy((REPO / "examples/connectors/cat-facts.yaml").read_text())


def test_cli_writes_output_and_secrets_file(tmp_path):
    src = tmp_path / "connect.yml"
    src.write_text(LEGACY)
    out = tmp_path / "connect.v1.yaml"
    r = run_weir("config", "convert", str(src), "-o", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stdout == ""
    secrets = tmp_path / "connect.v1.secrets"
    assert secrets.read_text() == "API_KEY=hunter2hunter2\n"
    assert stat.S_IMODE(os.stat(secrets).st_mode) == 0o600
    assert "hunter2hunter2" not in r.stderr + out.read_text()
    spec = load_connector(out, secrets_file=secrets, env={})
    assert spec.parameters["headers"] == ["Authorization: Bearer hunter2hunter2"]
    r = weir("validate", str(out), "--secrets", str(secrets))
    assert r.returncode == 0, r.stdout
    again = weir("config", "convert", str(src), "-o", str(out))
    assert again.returncode == 1 and "exists" in again.stderr


def test_cli_stdout_writes_no_secrets_file_and_names_a_command_that_does(tmp_path):
    import re
    import shlex

    src = tmp_path / "connect.yml"
    src.write_text(LEGACY)
    r = first = run_weir("config", "convert", str(src))
    assert r.returncode == 0, r.stderr
    assert "${{ secrets.API_KEY }}" in r.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["connect.yml"]
    assert "hunter2hunter2" not in r.stdout + r.stderr
    # the command the message names works when pasted, and its own message's too
    command = re.search(r"`weir (config convert [^`]+)`", r.stderr).group(1)
    r = run_weir(*shlex.split(command))
    assert r.returncode == 0, r.stderr
    validate = re.search(r"`weir (validate [^`]+)`", r.stderr).group(1)
    assert run_weir(*shlex.split(validate)).returncode == 0
    assert validate in first.stderr  # the stdout run named the same check up front


def test_cli_stdout_and_errors(tmp_path):
    r = weir("config", "convert", str(REPO / "examples/connectors/cat-facts.legacy.yaml"))
    assert r.returncode == 0
    current = (REPO / "examples/connectors/cat-facts.yaml").read_text().split("\n", 2)[2]
    assert r.stdout == "# connect.yml\n" + current
    missing = weir("config", "convert", str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2 and "no such file" in missing.stderr
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 0.3.0\nname: x\ntype: http\ntopic: x\nparameters: {}\n")
    r = weir("config", "convert", str(bad))
    assert r.returncode == 1
    assert "bad.yaml:5:1: error[missing-field]" in r.stderr
    assert "Traceback" not in r.stderr


def test_on_error_and_rust_log():
    text = ("version: 0.3.0\nname: a\ntype: http\ntopic: a\nparameters:\n"
            "  endpoint: https://x\n  on-error: stop\n  rust-log: debug\n")
    result = convert_legacy(text)
    assert "  on-error: stop\n" in result.text
    assert "# rust-log: debug" in result.text
    spec = load_connector_text(result.text, env={})
    assert spec.on_error == "stop" and "on-error" not in spec.parameters


TRICKY = """\
---
# top
version: 0.3.0   # v
name: "weird-one"
type: http  # the type
topic: weird
parameters:
  endpoint: >-
    https://example.com/a
  # before map
  map: ./target/x.wasm   # inline
  headers:
    - "A: b"
  filter: "f1"
producer: {linger: 5ms}
...
"""


def test_document_markers_block_scalars_and_inline_comments():
    result = convert_legacy(TRICKY)
    assert result.kept_comments, result.notes
    text = result.text
    assert text.startswith("---\n# top\napiVersion: 0.1.0\n")
    assert text.rstrip().endswith("...")
    assert "  type: http-source  # the type\n" in text
    assert "  # before map\n  - uses: ./target/x.wasm  # inline\n" in text
    spec = load_connector_text(text, env={})
    assert spec.parameters["endpoint"] == "https://example.com/a"
    assert [t.uses for t in spec.transforms] == ["./target/x.wasm", "f1"]


def test_missing_api_version_is_added():
    from tests.config.helpers import CURRENT

    text = "# keep me\n" + CURRENT.replace("apiVersion: 0.1.0\n", "") + \
        '  headers: ["A: ${{ secrets.K }}"]\n'
    text = text.replace("  topic: cat-facts\n", "  topic: cat-facts\n  secrets:\n    - name: K\n")
    assert not validate_text(text).valid
    result = convert_legacy(text)
    assert result.text.startswith("# keep me\napiVersion: 0.1.0\nmeta:\n")
    assert validate_text(result.text).valid and "0.0.0" in result.notes[0]


def test_cli_reads_stdin_and_writes_stdout(tmp_path):
    legacy = (REPO / "examples/connectors/cat-facts.legacy.yaml").read_text()
    from_file = weir("config", "convert", str(REPO / "examples/connectors/cat-facts.legacy.yaml"))
    r = run_weir("config", "convert", "-", input=legacy, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout == from_file.stdout
    assert list(tmp_path.iterdir()) == []  # nothing written beside a file that is not there


def test_cli_stdin_errors_name_stdin_with_line_and_column(tmp_path):
    r = run_weir("config", "convert", "-",
                 input="version: 0.3.0\nname: x\ntype: http\ntopic: x\nparameters: {}\n")
    assert r.returncode == 1
    assert "<stdin>:5:1: error[missing-field]" in r.stderr
    assert "Traceback" not in r.stderr
    syntax = run_weir("config", "convert", "-", input="version: 0.3.0\nname: [x\n")
    assert syntax.returncode == 1
    assert "<stdin>:" in syntax.stderr and "yaml-syntax" not in syntax.stdout
    binary = run_weir("config", "convert", "-", input=b"version: 0.3.0\nname: \xff\n")
    assert binary.returncode == 1 and b"<stdin>:2:7: invalid UTF-8" in binary.stderr


def test_cli_stdin_with_plaintext_secrets_needs_an_output_file(tmp_path):
    r = run_weir("config", "convert", "-", input=LEGACY, cwd=tmp_path)
    assert r.returncode == 2 and "-o OUT" in r.stderr and "API_KEY" in r.stderr
    assert "hunter2hunter2" not in r.stdout + r.stderr
    assert list(tmp_path.iterdir()) == []
    out = tmp_path / "new.yaml"
    r = run_weir("config", "convert", "-", "-o", str(out), input=LEGACY, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "new.secrets").read_text() == "API_KEY=hunter2hunter2\n"
    assert load_connector(out, secrets_file=tmp_path / "new.secrets", env={}).name == "cat-facts"


def test_legacy_parameters_read_the_same_in_validation_and_conversion():
    """One helper (ConnectorType.legacy_param) reads legacy parameters for both: an alias,
    a `_`/`-` swapped spelling and a one-string header come out the same in each."""
    from runtime.config.connector_types import BUILTIN_TYPES

    http = BUILTIN_TYPES["http-source"]
    assert http.legacy_param("header", "A: b") == ("headers", ["A: b"])
    assert http.legacy_param("output-type", "json") == ("output_type", "json")
    assert BUILTIN_TYPES["sql-sink"].legacy_param("batch_size", 10) == ("batch-size", 10)
    assert http.legacy_param("not-a-param", 1) == ("not-a-param", 1)
    mqtt = BUILTIN_TYPES["mqtt-source"]
    assert mqtt.legacy_param("mqtt-topic", "t") == ("topic", "t")
    assert mqtt.legacy_param("timeout", "5") == ("timeout", {"secs": 5, "nanos": 0})

    text = ("version: 0.3.0\nname: p\ntype: http\ntopic: p\nparameters:\n"
            "  endpoint: https://example.com/\n  header: 'A: b'\n  output-type: json\n"
            "  interval: 10s\n")
    validated = analyze_text(text, "p.yaml").params
    converted = load_connector_text(convert_legacy(text).text, "p.v1.yaml").parameters
    assert validated == {"endpoint": "https://example.com/", "headers": ["A: b"],
                         "output_type": "json", "interval": "10s"}
    assert {k: converted[k] for k in validated} == validated
