"""A record error in a later stage of a chain: the records before it go on from that
stage, and the stateful stages before it never see a record twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from runtime.config.spec import ConnectorSpec
from runtime.connectors.reporter import Reporter
from runtime.connectors.transform import Transformer
from runtime.topics.columns import RecordColumns
from runtime.topics.record import Record
from smartmodules.spec import TransformSpec

PREBUILT = Path(__file__).resolve().parents[2] / "examples" / "smartmodules" / "prebuilt"
CONCAT = TransformSpec(uses=str(PREBUILT / "concat_aggregate.wasm"))
PARSE_INT = TransformSpec(uses=str(PREBUILT / "parse_int.wasm"))
CONTAINS_1 = TransformSpec(uses=str(PREBUILT / "contains_filter.wasm"),
                           params={"contains": "1"})


def _records(*values: str) -> list[Record]:
    return [Record(i, 1000 + i, None, v.encode()) for i, v in enumerate(values)]


def _batch(shape: str, *values: str) -> list[Record] | RecordColumns:
    """Records, or the columns a source pipeline hands over."""
    records = _records(*values)
    return RecordColumns.from_records(records) if shape == "columns" else records


def _values(outcome) -> list[bytes]:
    return [r.value for r in outcome.produce_records()]


def _transformer(*transforms: TransformSpec) -> Transformer:
    spec = ConnectorSpec(name="chain", type="generator-source", kind="source", topic="chain")
    return Transformer(transforms, "skip", Reporter(spec))


@pytest.mark.parametrize("shape", ["records", "columns"])
def test_error_in_last_stage_keeps_the_aggregate_state_single_counted(shape):
    transformer = _transformer(CONCAT, PARSE_INT)
    try:
        outcome = transformer.apply(_batch(shape, "1", "2", "x", "3"))
        # the aggregate saw each record once: 1, 12, 12x (fails to parse), 12x3 (fails)
        assert _values(outcome) == [b"1", b"12"]
        assert outcome.failed == 2 and outcome.kept == 2
        # the next batch carries on from the same accumulator
        assert transformer.apply(_batch(shape, "4")).failed == 1
    finally:
        transformer.close()


@pytest.mark.parametrize("shape", ["records", "columns"])
def test_error_in_middle_stage_sends_earlier_successes_through_the_later_stages(shape):
    transformer = _transformer(CONCAT, PARSE_INT, CONTAINS_1)
    try:
        # aggregate: 1, 15, 15x, ... parse-int fails on 15x; the filter keeps those with "1"
        outcome = transformer.apply(_batch(shape, "1", "5", "x"))
        assert _values(outcome) == [b"1", b"15"]
        assert outcome.failed == 1
    finally:
        transformer.close()


def test_columns_that_go_through_whole_come_back_as_columns():
    transformer = _transformer(CONTAINS_1)
    try:
        outcome = transformer.apply(_batch("columns", "1", "2", "10", "x"))
        assert outcome.columns is not None and outcome.records == []
        assert [(r.value, r.timestamp) for r in outcome.produce_records()] == [
            (b"1", 1000), (b"10", 1002)]
        assert outcome.kept == 2 and outcome.failed == 0
    finally:
        transformer.close()
