"""The main rules, each asserting code, line and column."""

from __future__ import annotations

from tests.config.helpers import CURRENT, LEGACY, codes, diags, find, where


def test_docs_configs_are_clean():
    assert diags(CURRENT) == []
    assert diags(LEGACY) == []


def test_missing_field_points_at_the_mapping_that_lacks_it():
    text = CURRENT.replace("  name: cat-facts\n", "")
    d = find(text, "missing-field")
    assert (d.severity, d.line, d.column) == ("error", 2, 1)
    assert "`name`" in d.message


def test_legacy_missing_version_at_root():
    text = LEGACY.replace("version: 0.3.0\n", "")
    assert where(text, "missing-field") == ("error", 1, 1)


def test_enum_lists_valid_values():
    text = CURRENT + "  output_type: xml\n"
    d = find(text, "invalid-enum")
    assert (d.line, d.column) == (10, 16)
    assert "`text`, `json`" in d.message


def test_duration_needs_unit_in_current_format():
    text = CURRENT.replace("interval: 10s", "interval: 10")
    d = find(text, "invalid-duration")
    assert (d.line, d.column) == (9, 13)
    assert "expected a duration" in d.message


def test_legacy_bare_seconds_interval_accepted_with_info():
    text = LEGACY.replace("interval: 10s", "interval: 10")
    assert where(text, "bare-seconds") == ("info", 8, 13)
    assert not [d for d in diags(text) if d.severity == "error"]


def test_unknown_key_did_you_mean():
    text = CURRENT.replace("interval:", "intervall:")
    d = find(text, "unknown-key")
    assert (d.severity, d.line, d.column) == ("warning", 9, 3)
    assert d.hint == "did you mean `interval`?"


def test_top_level_consumer_is_misplaced():
    text = CURRENT + "consumer:\n  partition: 0\n"
    d = find(text, "misplaced-key")
    assert (d.severity, d.line, d.column) == ("warning", 10, 1)
    assert "`meta`" in d.message


def test_create_topic_is_ignored():
    text = CURRENT.replace("  topic: cat-facts\n", "  topic: cat-facts\n  create-topic: true\n")
    assert where(text, "ignored-key") == ("info", 7, 3)


def test_direction_must_agree():
    text = LEGACY.replace("direction: source", "direction: sink")
    assert where(text, "direction-mismatch") == ("error", 5, 12)


def test_undeclared_secret_column_inside_string():
    text = CURRENT + '  headers: ["Authorization: Bearer ${{ secrets.KEY }}"]\n'
    d = find(text, "undeclared-secret")
    assert (d.line, d.column) == (10, 36)


def test_not_yaml_is_one_error():
    assert codes("a: [\n") == {"yaml-syntax"}
    assert codes("") == {"empty-file"}
    assert codes("- a\n- b\n") == {"not-a-mapping"}


def test_every_message_locates_a_diagnostic_the_same_way():
    """Diagnostic.location is the one `path:line:col` spelling (validate, convert, load)."""
    from runtime.config.diagnostics import Diagnostic
    from runtime.config.load import ConfigInvalid

    placed = Diagnostic("error", "invalid-value", "bad", 2, None, None)
    unplaced = Diagnostic("error", "file-unreadable", "gone", None, None, None)
    assert placed.location("c.yaml") == "c.yaml:2:1"
    assert unplaced.location("c.yaml") == "c.yaml"
    assert placed.human("c.yaml") == "c.yaml:2:1: error[invalid-value]: bad"
    assert ConfigInvalid("c.yaml", [placed]).message == "c.yaml:2:1: bad"
    assert ConfigInvalid("c.yaml", [unplaced]).message == "c.yaml: gone"
