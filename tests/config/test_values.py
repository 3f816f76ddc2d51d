"""Durations, byte sizes, names, masking and describe output."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from runtime.config.load import load_connector_text
from runtime.config.names import InvalidName, validate_name
from runtime.config.render import describe_yaml
from runtime.config.secrets import mask
from runtime.config.values import ValueProblem, parse_bytes, parse_duration
from tests.config.helpers import CURRENT


@pytest.mark.parametrize("text,ms", [
    ("10s", 10_000), ("1ms", 1), ("1h 30m", 5_400_000), ("1m30s", 90_000),
    ("2min", 120_000), ("1d", 86_400_000), ("1w", 604_800_000), ("500us", 0),
    ("1M", 2_630_016_000), ("1y", 31_557_600_000), ("3 hours", 10_800_000),
    ("  5 sec ", 5000),
])
def test_durations(text, ms):
    assert parse_duration(text) == ms


@pytest.mark.parametrize("text,fragment", [
    ("10", "time unit needed"), ("1.5s", "no decimals"), ("10 parsecs", "unknown time unit"),
    ("", "empty"), ("s", "expected a number"), ("-1s", "expected a number"),
])
def test_bad_durations(text, fragment):
    with pytest.raises(ValueProblem, match=fragment):
        parse_duration(text)


@pytest.mark.parametrize("text,n", [
    ("1 MB", 1_000_000), ("1MB", 1_000_000), ("1 MiB", 1_048_576), ("1kb", 1000),
    ("1KiB", 1024), ("512", 512), (512, 512), ("1.5 KB", 1500), ("2 GB", 2 * 10**9),
    ("1b", 1), ("1 TB", 10**12),
])
def test_bytes(text, n):
    assert parse_bytes(text) == n


@pytest.mark.parametrize("text", ["aoeu", "1 XB", "-1", "MB", ""])
def test_bad_bytes(text):
    with pytest.raises(ValueProblem, match="couldn't parse"):
        parse_bytes(text)


@pytest.mark.parametrize("kind", ["topic", "smartmodule", "connector"])
def test_name_rules(kind):
    assert validate_name(kind, "cat-facts-2") == "cat-facts-2"
    for bad, fragment in [("Cat", "lowercase"), ("a_b", "lowercase"), ("-a", "start or end"),
                          ("a-", "start or end"), ("", "empty"), ("a" * 64, "63")]:
        with pytest.raises(InvalidName, match=fragment) as info:
            validate_name(kind, bad)
        assert info.value.exit_code == 1 and info.value.hint
    assert validate_name(kind, "a" * 63)


def test_mask_longest_first_and_everywhere():
    assert mask("key=abcdef, short=abc", ["abc", "abcdef"]) == "key=******, short=******"
    assert mask("nothing here", ["", "zzz"]) == "nothing here"


SECRET = CURRENT.replace("  topic: cat-facts\n", "  topic: cat-facts\n  secrets:\n"
                         "    - name: API_KEY\n") + \
    '  headers: ["Authorization: Bearer ${{ secrets.API_KEY }}"]\n'


def test_describe_from_spec_masks_rendered_secrets():
    spec = load_connector_text(SECRET, secrets={"API_KEY": "s3cr3t-v4lue"}, env={})
    assert spec.parameters["headers"] == ["Authorization: Bearer s3cr3t-v4lue"]
    text = describe_yaml(spec)
    assert text.startswith("---\n")
    assert "s3cr3t-v4lue" not in text and "Bearer ******" in text
    assert "type: http-source" in text


def test_describe_from_text_or_path(tmp_path):
    legacy = "version: 0.3.0\nname: a\ntype: http\ntopic: a\nparameters:\n" \
        "  endpoint: https://h/tok-12345\n  version: 0.10\nsecrets:\n  T: tok-12345\n"
    out = describe_yaml(legacy, ["tok-12345"])
    assert out.startswith("---\nversion: 0.3.0\n")
    assert "tok-12345" not in out and "0.10" in out
    f = tmp_path / "c.yaml"
    f.write_text(legacy)
    assert describe_yaml(f, ["tok-12345"]) == out
    assert describe_yaml(str(f), ["tok-12345"]) == out
    assert describe_yaml("a: [\n", []) == "---\na: [\n"


def test_spec_repr_masks_secrets():
    spec = load_connector_text(SECRET, secrets={"API_KEY": "s3cr3t-v4lue"}, env={})
    assert "s3cr3t-v4lue" not in repr(spec) and "s3cr3t-v4lue" not in str(spec)
    assert "Bearer ******" in repr(spec)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=30))
def test_value_parsers_fail_only_with_value_problem(text):
    for parse in (parse_duration, parse_bytes):
        try:
            assert parse(text) >= 0
        except ValueProblem as exc:
            assert exc.message


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10**6), st.sampled_from(
    ["ns", "us", "ms", "s", "sec", "m", "min", "h", "d", "w", "M", "y"])), min_size=1,
    max_size=4))
def test_durations_add_up(parts):
    ns = {"ns": 1, "us": 10**3, "ms": 10**6, "s": 10**9, "sec": 10**9, "m": 60 * 10**9,
          "min": 60 * 10**9, "h": 3600 * 10**9, "d": 86_400 * 10**9, "w": 604_800 * 10**9,
          "M": 2_630_016 * 10**9, "y": 31_557_600 * 10**9}
    text = " ".join(f"{n}{u}" for n, u in parts)
    assert parse_duration(text) == sum(n * ns[u] for n, u in parts) // 10**6
