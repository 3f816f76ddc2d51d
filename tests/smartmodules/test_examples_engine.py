"""The prebuilt Rust examples (built with the `--sdk none` glue) through the engine."""

from __future__ import annotations

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
