"""The prebuilt Rust examples (built with the `--sdk none` glue) through the engine."""

from __future__ import annotations

import json

import pytest

from runtime.topics.record import Record
from smartmodules.chain import build_chain
from smartmodules.spec import TransformSpec
from tests.conftest import REPO

PREBUILT = REPO / "examples" / "smartmodules" / "prebuilt"


def run(name: str, values: list[str], **spec):
    path = PREBUILT / f"{name}.wasm"
    if not path.exists():
        pytest.skip(f"{path} not built")
    chain = build_chain([TransformSpec(uses=str(path), **spec)])
    return chain.process([Record(10 + i, 1000, None, v.encode()) for i, v in enumerate(values)])


def test_contains_filter():
    result = run("contains_filter", ["the cat", "a dog", "cats"], params={"contains": "cat"})
    assert [r.value for r in result.records] == [b"the cat", b"cats"]
    assert [r.offset for r in result.records] == [10, 12]


def test_catfact_map_and_its_error():
    result = run("catfact_map", ['{"fact":"Cats purr.","length":10}', "not json"])
    assert [r.value for r in result.records] == [b'"Cats purr."']
    assert result.error.offset == 11 and result.error.module == "catfact_map.wasm"
    assert result.error.hint


def test_parse_int_filter_map():
    result = run("parse_int", ["1", "+007", "", "x"])
    assert [r.value for r in result.records] == [b"1", b"7"]
    assert (result.error.offset, result.error.hint) == (13, "invalid digit found in string")


def test_split_array_and_concat_aggregate():
    split = run("split_array", ['[1, "two"]', "[]"])
    assert [r.value for r in split.records] == [b"1", b'"two"']
    agg = run("concat_aggregate", ["a", "b", "c"], aggregate_initial=b"1")
    assert [r.value for r in agg.records] == [b"1a", b"1ab", b"1abc"]


def _serde_like(value) -> bytes:
    """What `serde_json::to_string` of a Value writes, for documents without floats."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"),
                      sort_keys=True).encode()


# The quick path (no escapes) and the full parser (everything else) must agree with serde.
CATFACT_DOCUMENTS = [
    '{"fact":"Cats purr.","length":10}',
    '  {\n "length" : 9 ,\t"fact" : "Tabby \u00e9t\u00e9 \u2014 \U0001f408" }  ',
    '{"fact":"a \\"quoted\\" \\\\ back\\/slash \\u00e9 \\ud83d\\ude00 \\n","length":1}',
    '{"fact":"first","fact":"last wins"}',
    '{"length":3}',
    '{}',
    '{"fact":null}',
    '{"fact":12345678901234567890}',
    '{"fact":{"b":[1,true,false,null],"a":"x"}}',
    '{"nested":{"fact":"not me"},"fact":"me","list":[{"fact":1},[],{}]}',
    '{"fact":"x","deep":' + "[" * 100 + "]" * 100 + "}",
    '["fact","not an object"]',
    '"just a string"',
    '{"fa\\u0063t":"escaped key"}',
]
CATFACT_INVALID = [
    '{"fact":"x",}', '{"fact":"x"} trailing', '{"fact":"tab\there"}', '{"fact":01}',
    '{"fact":1e999}', '{"fact":tru}', '{"fact" "x"}', '{"fact":"x"', "",
    '{"fact":"x","deep":' + "[" * 200 + "]" * 200 + "}", '{"fact":"\\x"}',
]


@pytest.mark.parametrize("document", CATFACT_DOCUMENTS)
def test_catfact_map_writes_what_serde_would(document):
    result = run("catfact_map", [document])
    assert result.error is None
    parsed = json.loads(document)
    fact = parsed.get("fact") if isinstance(parsed, dict) else None
    assert [r.value for r in result.records] == [_serde_like(fact)]


def test_catfact_map_reads_minus_zero_as_serde_does():
    assert [r.value for r in run("catfact_map", ['{"fact":-0}']).records] == [b"-0.0"]


@pytest.mark.parametrize("document", CATFACT_INVALID)
def test_catfact_map_refuses_what_serde_refuses(document):
    result = run("catfact_map", [document])
    assert result.records == [] and result.error is not None
    assert "line 1 column" in result.error.hint


def test_catfact_map_refuses_invalid_utf8():
    path = PREBUILT / "catfact_map.wasm"
    chain = build_chain([TransformSpec(uses=str(path))])
    result = chain.process([Record(0, 0, None, b'{"fact":"\xff"}')])
    assert result.error is not None and "unicode" in result.error.hint
