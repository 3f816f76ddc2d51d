"""A record error in a later stage of a chain: the records before it go on from that
stage, and the stateful stages before it never see a record twice."""

from __future__ import annotations

from pathlib import Path

from runtime.config.spec import ConnectorSpec
from runtime.connectors.reporter import Reporter
from runtime.connectors.transform import Transformer
from runtime.topics.record import Record
from smartmodules.spec import TransformSpec

PREBUILT = Path(__file__).resolve().parents[2] / "examples" / "smartmodules" / "prebuilt"
CONCAT = TransformSpec(uses=str(PREBUILT / "concat_aggregate.wasm"))
PARSE_INT = TransformSpec(uses=str(PREBUILT / "parse_int.wasm"))
CONTAINS_1 = TransformSpec(uses=str(PREBUILT / "contains_filter.wasm"),
                           params={"contains": "1"})


def _records(*values: str) -> list[Record]:
    return [Record(i, 1000 + i, None, v.encode()) for i, v in enumerate(values)]


def _transformer(*transforms: TransformSpec) -> Transformer:
    spec = ConnectorSpec(name="chain", type="generator-source", kind="source", topic="chain")
    return Transformer(transforms, "skip", Reporter(spec))


def test_error_in_last_stage_keeps_the_aggregate_state_single_counted():
    transformer = _transformer(CONCAT, PARSE_INT)
    try:
        outcome = transformer.apply(_records("1", "2", "x", "3"))
        # the aggregate saw each record once: 1, 12, 12x (fails to parse), 12x3 (fails)
        assert [r.value for r in outcome.records] == [b"1", b"12"]
        assert outcome.failed == 2
        # the next batch carries on from the same accumulator
        assert transformer.apply(_records("4")).failed == 1
    finally:
        transformer.close()


def test_error_in_middle_stage_sends_earlier_successes_through_the_later_stages():
    transformer = _transformer(CONCAT, PARSE_INT, CONTAINS_1)
    try:
        # aggregate: 1, 15, 15x, ... parse-int fails on 15x; the filter keeps those with "1"
        outcome = transformer.apply(_records("1", "5", "x"))
        assert [r.value for r in outcome.records] == [b"1", b"15"]
        assert outcome.failed == 1
    finally:
        transformer.close()
