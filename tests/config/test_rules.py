"""Every rule: the code, severity, line and column of what it reports."""

from __future__ import annotations

import pytest

from runtime.config.diagnostics import CODES
from runtime.config.secrets import SecretsFile
from runtime.config.validate import analyze_text, validate_text
from runtime.config.yamlpos import MAX_BYTES
from tests.config.helpers import CURRENT, LEGACY, codes, diags, find, where

SINK = """\
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: to-web
  type: http-sink
  topic: events
  consumer:
    partition: 0
http:
  endpoint: https://example.com/ingest
"""


# -- reading the text ------------------------------------------------------------------

def test_nul_byte_located():
    d = validate_text("apiVersion: 0.1.0\nmeta:\x00\n").diagnostics
    assert [(x.code, x.line, x.column) for x in d] == [("nul-byte", 2, 6)]


def test_invalid_utf8_located(tmp_path):
    from runtime.config.validate import validate_file

    f = tmp_path / "bad.yaml"
    f.write_bytes(b"apiVersion: 0.1.0\nmeta:\n  name: caf\xe9\n")
    d = validate_file(f).diagnostics
    assert [(x.code, x.line, x.column) for x in d] == [("invalid-utf8", 3, 12)]


def test_oversize_file_refused_without_reading_it_all(tmp_path):
    from runtime.config.validate import validate_file

    f = tmp_path / "big.yaml"
    f.write_bytes(b"#" * (MAX_BYTES + 10))
    assert [x.code for x in validate_file(f).diagnostics] == ["file-too-large"]


def test_empty_and_comment_only():
    assert where("", "empty-file") == ("error", 1, 1)
    assert codes("# nothing here\n\n") == {"empty-file"}


def test_yaml_syntax_error_located():
    assert where("apiVersion: 0.1.0\nmeta:\n  name: [a, b\n", "yaml-syntax")[0] == "error"
    d = find("a: b: c\n", "yaml-syntax")
    assert (d.line, d.column) == (1, 5)
    assert "quoted" in d.hint


def test_tabs_hint():
    d = find("meta:\n\tname: x\n", "yaml-syntax")
    assert (d.line, d.column) == (2, 1)
    assert "tabs" in d.hint


def test_alias_bomb_is_fast_and_bounded():
    text = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n'
    for i in range(1, 12):
        prev, cur = chr(96 + i), chr(97 + i)
        text += f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]\n"
    assert where(text, "yaml-too-deep")[0] == "error"


def test_recursive_alias():
    assert where("a: &a [*a]\n", "yaml-too-deep") == ("error", 1, 4)


def test_deep_nesting_is_an_error_not_a_crash():
    assert codes("a: " + "[" * 500 + "]" * 500 + "\n") == {"yaml-too-deep"}
    assert codes("a: " + "[" * 200_000 + "\n") <= {"yaml-too-deep", "yaml-syntax"}


def test_python_tags_refused():
    assert where("a: !!python/object/apply:os.system [ls]\n", "yaml-tag") == ("error", 1, 4)
    assert where("a: !custom x\n", "yaml-tag") == ("error", 1, 4)


def test_second_document():
    assert where(CURRENT + "---\nfoo: 1\n", "multiple-documents") == ("error", 10, 1)


def test_not_a_mapping():
    assert where("just a string\n", "not-a-mapping") == ("error", 1, 1)
    assert where("- a\n", "not-a-mapping") == ("error", 1, 1)


def test_duplicate_key_reports_the_second():
    d = find(CURRENT.replace("  topic: cat-facts\n", "  topic: cat-facts\n  topic: b\n"),
             "duplicate-key")
    assert (d.line, d.column) == (7, 3)
    assert "line 6" in d.hint


def test_unknown_format():
    assert where("hello: world\n", "unknown-format") == ("error", 1, 1)


# -- format and versions ---------------------------------------------------------------

def test_missing_api_version_is_a_warning_without_secrets():
    text = CURRENT.replace("apiVersion: 0.1.0\n", "")
    assert where(text, "missing-api-version") == ("warning", 1, 1)
    assert validate_text(text).valid


def test_missing_api_version_with_secrets_is_explained():
    text = CURRENT.replace("apiVersion: 0.1.0\n", "").replace(
        "  topic: cat-facts\n", "  topic: cat-facts\n  secrets:\n    - name: KEY\n") + \
        '  headers: ["Authorization: ${{ secrets.KEY }}"]\n'
    d = find(text, "missing-api-version")
    assert (d.severity, d.line, d.column) == ("error", 1, 1)
    assert "0.0.0" in d.message and "line 11" in d.message
    assert "apiVersion: 0.1.0" in d.hint


@pytest.mark.parametrize("value", ["0.3.0", "0.1", "1"])
def test_unsupported_api_version(value):
    d = find(CURRENT.replace("apiVersion: 0.1.0", f"apiVersion: {value}"),
             "unsupported-api-version")
    assert (d.line, d.column) == (1, 13)
    assert "`0.0.0`, `0.1.0`, `0.2.0`" in d.message


def test_api_versions_accepted():
    for v in ("0.0.0", "0.1.0"):
        assert validate_text(CURRENT.replace("0.1.0", v, 1)).valid
    v2 = CURRENT.replace("0.1.0", "0.2.0", 1).replace("topic: cat-facts",
                                                      "topic: {meta: {name: cat-facts}}")
    assert validate_text(v2).valid


# -- fields, types, enums --------------------------------------------------------------

def test_missing_meta_field_at_meta_key():
    assert where(CURRENT.replace("  type: http-source\n", ""), "missing-field") == \
        ("error", 2, 1)


def test_missing_endpoint_at_section_key():
    d = find(CURRENT.replace("  endpoint: https://catfact.ninja/fact\n", ""), "missing-field")
    assert (d.line, d.column) == (7, 1)
    assert "`endpoint`" in d.message


def test_wrong_type_names_what_was_found():
    d = find(CURRENT.replace("  interval: 10s\n", "  headers: Authorization\n"), "wrong-type")
    assert (d.line, d.column) == (9, 12)
    assert "must be a list" in d.message and "`Authorization`" in d.message


def test_meta_not_a_mapping():
    assert where("apiVersion: 0.1.0\nmeta: x\n", "wrong-type") == ("error", 2, 7)


def test_enum_in_legacy_producer_lists_four():
    text = LEGACY + "producer:\n  compression: zstd\n"
    d = find(text, "invalid-enum")
    assert (d.line, d.column) == (10, 16)
    assert d.message.endswith("expected one of `none`, `gzip`, `snappy`, `lz4`")


def test_zstd_is_fine_in_current_format():
    assert validate_text(CURRENT.replace("  topic: cat-facts\n",
                                         "  topic: cat-facts\n  producer:\n"
                                         "    compression: zstd\n")).valid


def test_topic_map_compression_is_capitalised():
    text = CURRENT.replace("apiVersion: 0.1.0", "apiVersion: 0.2.0").replace(
        "  topic: cat-facts\n", "  topic:\n    meta:\n      name: cat-facts\n"
        "    compression:\n      type: gzip\n")
    d = find(text, "invalid-enum")
    assert (d.line, d.column) == (10, 13)
    assert "`Gzip`" in d.message


def test_method_enum():
    d = find(CURRENT + "  method: get\n", "invalid-enum")
    assert (d.line, d.column) == (10, 11)


def test_invalid_value_url_scheme():
    d = find(CURRENT.replace("https://catfact.ninja/fact", "catfact.ninja/fact"),
             "invalid-value")
    assert (d.line, d.column) == (8, 13)


# -- durations and sizes ---------------------------------------------------------------

@pytest.mark.parametrize("value,col", [("10", 13), ("1.5s", 13), ("10 parsecs", 13),
                                       ("s10", 13)])
def test_bad_durations(value, col):
    d = find(CURRENT.replace("interval: 10s", f"interval: {value}"), "invalid-duration")
    assert (d.severity, d.line, d.column) == ("error", 9, col)


def test_duration_combinations_ok():
    for value in ("1h 30m", "1m30s", "500ms", "2 days", "1M", "1y"):
        assert validate_text(CURRENT.replace("interval: 10s", f"interval: {value}")).valid


def test_bad_byte_size():
    d = find(CURRENT.replace("  topic: cat-facts\n", "  topic: cat-facts\n  producer:\n"
                             "    batch-size: lots\n"), "invalid-bytes")
    assert (d.line, d.column) == (8, 17)
    assert 'couldn\'t parse "lots" into a byte size' in d.message


def test_legacy_bare_seconds():
    text = LEGACY.replace("interval: 10s", "interval: 10")
    d = find(text, "bare-seconds")
    assert (d.severity, d.line, d.column) == ("info", 8, 13)
    assert "10s" in d.hint


# -- names -----------------------------------------------------------------------------

def test_connector_name_rule():
    d = find(CURRENT.replace("name: cat-facts", "name: Cat-Facts"), "invalid-name")
    assert (d.line, d.column) == (4, 9)
    assert d.hint == "did you mean `cat-facts`?"
    d = find(LEGACY.replace("name: cat-facts", "name: My_Cat_Facts"), "invalid-name")
    assert d.hint == "did you mean `my-cat-facts`?"


def test_topic_name_too_long():
    d = find(CURRENT.replace("topic: cat-facts", "topic: " + "a" * 64), "invalid-name")
    assert (d.line, d.column) == (6, 10)
    assert "63" in d.message


def test_topic_trailing_dash_legacy():
    assert where(LEGACY.replace("topic: cat-facts", "topic: cat-"), "invalid-name") == \
        ("error", 4, 8)
    assert find(CURRENT.replace("topic: cat-facts", "topic: Cat_Facts"),
                "invalid-name").hint == "did you mean `cat-facts`?"


def test_smartmodule_name_in_legacy_map():
    assert where(LEGACY + "  map: Cat_Map\n", "invalid-name") == ("error", 9, 8)


def test_wasm_path_is_not_a_name():
    assert validate_text(LEGACY + "  map: ./target/Cat_Map.wasm\n").valid


# -- unknown and misplaced keys --------------------------------------------------------

def test_unknown_meta_key_did_you_mean():
    d = find(CURRENT.replace("  topic: cat-facts\n", "  topic: cat-facts\n  secret: []\n"),
             "unknown-key")
    assert (d.line, d.column) == (7, 3)
    assert d.hint == "did you mean `secrets`?"


def test_misplaced_linger_in_consumer():
    text = SINK.replace("    partition: 0\n", "    partition: 0\n    linger: 1ms\n")
    d = find(text, "misplaced-key")
    assert (d.line, d.column) == (9, 5)
    assert "`meta.producer`" in d.message


def test_legacy_params_at_top_level_are_misplaced():
    d = find(LEGACY + "interval: 5s\n", "misplaced-key")
    assert (d.line, d.column) == (9, 1)
    assert "`parameters`" in d.message


def test_legacy_parameters_in_current_format():
    d = find(CURRENT + "parameters:\n  interval: 5s\n", "misplaced-key")
    assert (d.line, d.column) == (10, 1)


def test_transforms_in_legacy():
    """Fluvio 0.10's legacy config read `transforms:` beside `parameters` (flattened)."""
    assert diags(LEGACY + "transforms:\n  - uses: x\n") == []
    d = find(LEGACY + "transforms:\n  - uses: x\n    with: {n: 1}\n", "transform-with-type")
    assert (d.line, d.column) == (11, 15)


def test_create_topic_ignored_in_legacy_too():
    assert where(LEGACY + "create-topic: true\n", "ignored-key") == ("info", 9, 1)


def test_consumer_options_on_a_source_are_ignored():
    text = CURRENT.replace("  topic: cat-facts\n", "  topic: cat-facts\n  consumer:\n"
                           "    partition: 0\n")
    assert where(text, "ignored-key") == ("info", 7, 3)


# -- connector types and sections ------------------------------------------------------

def test_unknown_type_is_a_warning():
    text = CURRENT.replace("http-source", "acme-source").replace("http:", "acme:")
    assert where(text, "unknown-connector-type") == ("warning", 5, 9)
    assert validate_text(text).valid


def test_legacy_name_in_current_format():
    d = find(CURRENT.replace("type: http-source", "type: http"), "unknown-connector-type")
    assert "http-source" in d.hint


def test_unknown_type_section_must_be_a_mapping():
    text = CURRENT.replace("http-source", "kafka-source").replace(
        "http:\n  endpoint: https://catfact.ninja/fact\n  interval: 10s\n", "kafka: 3\n")
    assert where(text, "wrong-type") == ("error", 7, 8)


def test_missing_connector_section():
    text = CURRENT.split("http:")[0]
    d = find(text, "missing-connector-section")
    assert (d.line, d.column) == (1, 1)
    assert "endpoint" in d.message


def test_extra_connector_section():
    text = CURRENT + "mqtt:\n  url: mqtt://x\n"
    assert where(text, "extra-connector-section") == ("warning", 10, 1)


def test_section_typo():
    d = find(CURRENT.replace("http:", "htp:"), "unknown-key")
    assert (d.line, d.column) == (7, 1)
    assert "`http`" in d.hint


def test_direction_mismatch():
    assert where(LEGACY.replace("direction: source", "direction: sink"),
                 "direction-mismatch") == ("error", 5, 12)


def test_direction_enum():
    assert where(LEGACY.replace("direction: source", "direction: up"), "invalid-enum") == \
        ("error", 5, 12)


# -- consumer --------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["-1", "[0, a]", "some", "true", "4294967296", "\"0\"", "All"])
def test_partition_forms(value):
    d = find(SINK.replace("partition: 0", f"partition: {value}"), "invalid-partition")
    assert (d.line, d.column) == (8, 16)


@pytest.mark.parametrize("value", ["0", "[0, 2]", "all", "[]", "4294967295", "[120, 230]"])
def test_partition_valid(value):
    assert validate_text(SINK.replace("partition: 0", f"partition: {value}")).valid


def test_offset_needs_strategy():
    text = SINK + "".join([])
    text = SINK.replace("    partition: 0\n", "    partition: 0\n    offset:\n"
                        "      start: beginning\n")
    assert where(text, "offset-needs-strategy") == ("error", 9, 5)


def test_offset_start_forms():
    ok = SINK.replace("    partition: 0\n", "    partition: 0\n    offset:\n"
                      "      strategy: manual\n      start: {from-end: 5}\n")
    assert validate_text(ok).valid
    bad = ok.replace("{from-end: 5}", "{from-middle: 5}")
    assert where(bad, "invalid-enum") == ("error", 11, 14)


def test_flush_period_nanos_bound():
    """serde's Duration: nanos is a u32 (beyond a second carries into secs); both needed."""
    text = SINK.replace("    partition: 0\n", "    partition: 0\n    offset:\n"
                        "      strategy: auto\n      flush-period: {secs: 1, nanos: 2000000000}\n")
    assert validate_text(text).valid
    assert where(text.replace("2000000000", "4294967296"), "invalid-value") == ("error", 11, 38)
    assert where(text.replace(", nanos: 2000000000", ""), "missing-field") == ("error", 11, 7)


# -- secrets ---------------------------------------------------------------------------

SECRET = CURRENT.replace("  topic: cat-facts\n", "  topic: cat-facts\n  secrets:\n"
                         "    - name: API_KEY\n") + \
    '  headers: ["Authorization: Bearer ${{ secrets.API_KEY }}"]\n'


def test_declared_secret_is_fine_without_source():
    assert diags(SECRET) == []


def test_secret_value_missing_when_source_given():
    d = find(SECRET, "secret-not-found", env={}, check_values=True)
    assert (d.line, d.column) == (8, 13)
    assert d.message == "value not found for secret name API_KEY"


def test_secret_value_from_file_or_env():
    a = analyze_text(SECRET, secrets=SecretsFile("s", {"API_KEY": "k1"}), env={},
                     check_values=True)
    assert a.report.valid and a.secret_values == {"API_KEY": "k1"}
    a = analyze_text(SECRET, env={"API_KEY": "k2"}, check_values=True)
    assert a.report.valid and a.secret_values == {"API_KEY": "k2"}


def test_undeclared_secret_with_did_you_mean():
    d = find(SECRET.replace("secrets.API_KEY", "secrets.API_KYE"), "undeclared-secret")
    assert (d.line, d.column) == (12, 36)
    assert d.hint == "did you mean `API_KEY`?"


def test_secret_name_rules():
    d = find(SECRET.replace("- name: API_KEY", "- name: 1secret"), "invalid-secret-name")
    assert (d.line, d.column) == (8, 13)
    assert d.message.endswith("Secret name `1secret` cannot start with a number")
    d = find(SECRET.replace("- name: API_KEY", "- name: api-key"), "invalid-secret-name")
    assert (d.line, d.column) == (8, 13)


def test_unused_secret_is_info():
    text = SECRET.replace("    - name: API_KEY\n", "    - name: API_KEY\n    - name: OTHER\n")
    assert where(text, "unused-secret") == ("info", 9, 13)


def test_near_miss_reference():
    text = CURRENT + '  headers: ["X: ${{ secret.KEY }}"]\n'
    assert where(text, "secret-not-rendered") == ("warning", 10, 17)


def test_legacy_plaintext_secrets():
    text = LEGACY + "secrets:\n  API_KEY: abc\n"
    assert where(text, "plaintext-secret") == ("warning", 9, 1)
    assert where(LEGACY + "secrets:\n  2KEY: abc\n", "invalid-secret-name") == ("error", 10, 3)


def test_legacy_does_not_render_references():
    text = LEGACY + '  headers: ["A: ${{ secrets.X }}"]\n'
    assert where(text, "secret-not-rendered") == ("warning", 9, 17)


def test_secrets_file_bad_lines(tmp_path):
    from runtime.config.secrets import read_secrets_file

    f = tmp_path / "s.env"
    f.write_text("# comment\nGOOD=1\nno equals here\n1BAD=x\nGOOD=2\n")
    sf = read_secrets_file(f)
    assert sf.values == {"GOOD": "2"}
    assert [(d.severity, d.code, d.line, d.column) for d in sf.diagnostics] == \
        [("error", "secrets-file", 3, 1), ("error", "secrets-file", 4, 1),
         ("warning", "secrets-file", 5, 1)]
    assert all("here" not in d.message for d in sf.diagnostics)


# -- transforms ------------------------------------------------------------------------

def test_with_values_must_be_strings_lists_or_maps():
    text = CURRENT + "transforms:\n  - uses: x\n    with:\n      a: 1\n      b: true\n" \
        "      c: [1]\n      d: {e: 1}\n      f: s\n"
    found = [(d.line, d.column) for d in diags(text) if d.code == "transform-with-type"]
    assert found == [(13, 10), (14, 10)]


def test_transform_missing_uses_and_bad_lookback():
    text = CURRENT + "transforms:\n  - with: {a: b}\n    lookback: {age: 10}\n"
    assert where(text, "missing-field") == ("error", 11, 5)
    assert where(text, "invalid-duration") == ("error", 12, 21)


def test_transforms_not_a_list():
    assert where(CURRENT + "transforms: x\n", "wrong-type") == ("error", 10, 13)


# -- the other built-in types ----------------------------------------------------------

def test_sql_columns():
    text = SINK.replace("http-sink", "sql-sink").split("http:")[0] + \
        "sql:\n  url: sqlite:///tmp/x.db\n  table: t\n  columns:\n" \
        "    - {name: a, path: $.a.b, type: integer}\n" \
        "    - {name: b, path: a.b, type: float}\n"
    found = [(d.code, d.line, d.column) for d in diags(text)]
    assert ("invalid-value", 14, 23) in found and ("invalid-enum", 14, 34) in found


def test_sql_columns_need_table():
    text = SINK.replace("http-sink", "sql-sink").split("http:")[0] + \
        "sql:\n  url: sqlite:///tmp/x.db\n  columns:\n    - {name: a, path: $.a}\n"
    d = find(text, "missing-field")
    assert (d.line, d.column) == (9, 1)
    assert "`table`" in d.message


def test_mqtt_timeout_and_payload_type():
    text = CURRENT.replace("http-source", "mqtt-source").split("http:")[0] + \
        "mqtt:\n  url: mqtt://127.0.0.1:1883\n  topic: a/#\n  timeout: 60s\n" \
        "  payload_output_type: text\n"
    found = [(d.code, d.line, d.column) for d in diags(text)]
    assert ("wrong-type", 10, 12) in found
    assert ("invalid-enum", 11, 24) in found


def test_generator_interval_or_rate():
    base = CURRENT.replace("http-source", "generator-source").split("http:")[0]
    assert validate_text(base + "generator:\n  rate: 50\n").valid
    assert validate_text(base).valid  # every generator parameter has a default
    d = find(base + "generator:\n  interval: 1s\n  rate: 5\n", "invalid-value")
    assert (d.line, d.column) == (7, 1)
    d = find(base + "generator:\n  template: '{{nope}}'\n", "invalid-value")
    assert (d.line, d.column) == (8, 13)


def test_generator_rate_zero_or_unlimited_means_as_fast_as_possible():
    base = CURRENT.replace("http-source", "generator-source").split("http:")[0]
    for rate in ("0", "unlimited", "max", "2.5"):
        assert validate_text(base + f"generator:\n  rate: {rate}\n").valid, rate
    for rate in ("-1", "fast", "true"):
        d = find(base + f"generator:\n  rate: {rate}\n", "invalid-value")
        assert (d.line, d.column) == (8, 9)
        assert "unlimited" in d.message


def test_legacy_generator_and_mqtt_types():
    for t in ("generator", "mqtt"):
        text = LEGACY.replace("type: http", f"type: {t}").split("parameters:")[0]
        text += "parameters:\n  url: mqtt://x\n  topic: a\n" if t == "mqtt" else ""
        report = validate_text(text)
        assert report.valid, report.diagnostics


def test_legacy_parameter_spellings():
    text = LEGACY + "  output-type: json\n  header: 'A: b'\n"
    assert diags(text) == []


# -- the code table --------------------------------------------------------------------

def test_every_code_is_documented_and_kebab_case():
    for code, doc in CODES.items():
        assert code == code.lower() and " " not in code and doc


# -- Fluvio's SecretString and legacy spellings ------------------------------------------

MQTT_SECRET_URL = """\
apiVersion: 0.1.0
meta:
  version: 0.2.5
  name: my-mqtt-connector
  type: mqtt-source
  topic: mqtt-topic
  secrets:
    - name: URL_SECRET
mqtt:
  url:
    secret:
      name: URL_SECRET
  topic: mqtt-to-fluvio
"""


def test_secret_string_reference_form():
    assert diags(MQTT_SECRET_URL) == []
    # Fluvio reads `secret: {name}` from the secret store itself: no declaration needed,
    # but its value is, when a secrets source is given
    other = MQTT_SECRET_URL.replace("name: URL_SECRET\n  topic", "name: OTHER\n  topic")
    assert codes(other) == {"unused-secret"}
    d = find(other, "secret-not-found", env={}, check_values=True)
    assert (d.line, d.column) == (12, 13) and d.message == \
        "value not found for secret name OTHER"
    from runtime.config.load import load_connector_text

    spec = load_connector_text(other, secrets={"OTHER": "mqtt://u:p@h:1883"}, env={})
    assert spec.parameters["url"] == "mqtt://u:p@h:1883"
    assert "mqtt://u:p@h:1883" in spec.secret_values
    d = find(MQTT_SECRET_URL.replace("      name: URL_SECRET\n", "      nam: URL_SECRET\n"),
             "wrong-type")
    assert (d.line, d.column) == (11, 5)


def test_secret_string_rendered_at_load():
    from runtime.config.load import load_connector_text

    spec = load_connector_text(MQTT_SECRET_URL, secrets={"URL_SECRET": "mqtt://u:p@h:1883"},
                               env={})
    assert spec.parameters["url"] == "mqtt://u:p@h:1883"
    assert "mqtt://u:p@h:1883" in spec.secret_values


def test_legacy_mqtt_parameters():
    from runtime.config.load import load_connector_text

    text = ("version: 0.3.0\nname: m\ntype: mqtt\ntopic: t\nparameters:\n"
            "  mqtt_topic: a/#\n  timeout: 30\nsecrets:\n  MQTT_URL: mqtt://u:pw@h:1883\n")
    assert codes(text) == {"plaintext-secret"}
    spec = load_connector_text(text, env={})
    assert spec.parameters["url"] == "mqtt://u:pw@h:1883"
    assert spec.parameters["timeout"] == {"secs": 30, "nanos": 0}
    assert spec.parameters["topic"] == "a/#"


def test_header_alias_in_current_format():
    from runtime.config.load import load_connector_text

    text = CURRENT + '  header: ["A: b"]\n'
    d = find(text, "unofficial-key")  # Fluvio's http-source reads `headers` only
    assert (d.severity, d.line, d.column) == ("warning", 10, 3)
    assert "reads `headers` and ignores `header`" in d.message
    assert load_connector_text(text, env={}).parameters["headers"] == ["A: b"]


def test_create_topic_underscore_spelling_is_ignored_too():
    assert where(LEGACY + "create_topic: true\n", "ignored-key") == ("info", 9, 1)


def test_large_document_without_aliases_is_refused_plainly():
    text = "a:\n" + "".join(f"  - {{k: {i}}}\n" for i in range(30_000))
    d = find(text, "yaml-too-deep")
    assert "far smaller" in d.message and "alias" not in d.message


def test_sql_json_sql_mapping():
    base = SINK.replace("http-sink", "sql-sink").split("http:")[0] + \
        "sql:\n  url: postgres://u@h/db\n  mapping:\n    table: topic_message\n" \
        "    map-columns:\n      device_id:\n        json-key: device.id\n" \
        "        value: {type: int, default: '0', required: true}\n"
    assert [(d.code, d.line) for d in diags(base)] == [("weir-only-key", 11)]
    d = find(base.replace("json-key:", "json-kye:"), "unknown-key")
    assert (d.line, d.column) == (15, 9) and d.hint == "did you mean `json-key`?"
    assert where(base.replace("type: int", "type: money"), "invalid-enum") == ("error", 16, 23)


def test_current_section_in_legacy_file():
    d = find(LEGACY + "http:\n  interval: 5s\n", "misplaced-key")
    assert (d.line, d.column) == (9, 1)
    assert "`parameters:`" in d.hint


def test_current_format_types_are_strict_like_serde():
    text = CURRENT + "  stream: yes\n  websocket_config: {ping_interval_ms: \"5\"}\n"
    found = [(d.code, d.line, d.column, d.hint) for d in diags(text)]
    assert ("wrong-type", 10, 11, "write true or false") in found
    assert ("wrong-type", 11, 40, "write `5` without quotes") in found


def test_legacy_parameters_are_strings_anyway():
    assert diags(LEGACY + "  stream: 'true'\n") == []


def test_empty_meta():
    d = find("apiVersion: 0.1.0\nmeta:\n", "missing-field")
    assert (d.line, d.column) == (2, 1) and "`topic`" in d.message


def test_legacy_output_format_is_refused_like_fluvio():
    d = find(LEGACY + "  output_format: json\n", "invalid-value")
    assert (d.line, d.column) == (9, 3) and "output_parts" in d.message


def test_sql_column_types_are_the_ones_the_sink_converts():
    from runtime.config.sql_types import JSON_SQL_TYPES
    from runtime.connectors import sql_sink

    assert sql_sink.TYPES is JSON_SQL_TYPES
    base = SINK.replace("http-sink", "sql-sink").split("http:")[0] + \
        "sql:\n  url: postgres://u@h/db\n  mapping:\n    table: t\n" \
        "    map-columns:\n      c:\n        json-key: c\n        value: {type: TYPE}\n"
    for spelling in JSON_SQL_TYPES:
        assert codes(base.replace("TYPE", spelling.upper())) == {"weir-only-key"}, spelling
