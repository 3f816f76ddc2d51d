"""SmartModules area: build a crate with cargo, register it, try it in the playground."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from textual.widgets import Log

from runtime.errors import WeirError
from tests.tui.conftest import SIZE, answer_prompt, make_app, ready, wait_for
from tui.components.smartmodules.build_view import BuildView
from tui.components.smartmodules.pane import SmartModulesPane
from tui.components.smartmodules.playground import Playground, parse_chain, sample_records

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples" / "smartmodules"




@pytest.mark.integration
async def test_build_register_and_run_in_the_playground(tmp_path: Path) -> None:
    crate = tmp_path / "contains-filter"
    shutil.copytree(EXAMPLES / "contains-filter", crate,
                    ignore=shutil.ignore_patterns("target"))
    app = make_app(start_area="smartmodules")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        pane = app.query_one(SmartModulesPane)
        await pilot.press("ctrl+b")
        await answer_prompt(pilot, str(crate))
        build = app.query_one(BuildView)
        await wait_for(pilot, lambda: not build.building, timeout=300)
        assert build.result is not None, "\n".join(app.query_one("#build-log", Log).lines)
        assert any("Compiling contains-filter" in line
                   for line in app.query_one("#build-log", Log).lines)

        await pilot.press("ctrl+r")
        await answer_prompt(pilot, str(build.result.artifact))
        await answer_prompt(pilot, "contains-filter")
        await wait_for(pilot, lambda: "contains-filter" in pane.entries)

        await pilot.press("ctrl+l")  # append the selected module to the chain
        playground = app.query_one(Playground)
        assert playground.query_one("#pg-chain").text == "- uses: contains-filter\n"
        playground.set_chain("- uses: contains-filter\n  with:\n    contains: cat\n")
        playground.set_samples("a cat\na dog\ncats purr\n")
        await wait_for(pilot, lambda: len(playground.columns) == 2
                       and len(playground.columns[1].records) == 2)
        assert [r.value for r in playground.columns[1].records] == [b"a cat", b"cats purr"]

        playground.set_samples("a cat\nno felines here\n")  # an edit re-runs the chain
        await wait_for(pilot, lambda: [r.value for r in playground.columns[0].records]
                       == [b"a cat", b"no felines here"]
                       and len(playground.columns[1].records) == 1)


async def test_playground_marks_the_record_a_module_failed_on(weir_home: Path) -> None:
    from smartmodules import registry

    registry.create("parse-int", EXAMPLES / "prebuilt" / "parse_int.wasm")
    app = make_app(start_area="smartmodules")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        playground = app.query_one(Playground)
        playground.set_chain("- uses: parse-int\n")
        playground.set_samples("7\n+08\nnine\n10\n")
        await wait_for(pilot, lambda: len(playground.columns) == 2)
        source = playground.columns[0]
        assert source.error_offset == 2
        assert "invalid digit" in (source.error or "")
        assert [r.value for r in playground.columns[1].records] == [b"7", b"8"]
        status = str(playground.query_one("#pg-status").render())
        assert "offset 2" in status


async def test_playground_reports_a_bad_chain_in_place(weir_home: Path) -> None:
    app = make_app(start_area="smartmodules")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        playground = app.query_one(Playground)
        playground.set_chain("- uses: no-such-module\n")
        playground.set_samples("1\n")
        await wait_for(pilot, lambda: "no-such-module" in str(
            playground.query_one("#pg-status").render()))


async def test_cancelling_a_build_stops_cargo(tmp_path: Path) -> None:
    crate = tmp_path / "slow"
    crate.mkdir()
    (crate / "Cargo.toml").write_text('[package]\nname = "slow"\nversion = "0.1.0"\n'
                                      'edition = "2021"\n\n[lib]\ncrate-type = ["cdylib"]\n')
    (crate / "src").mkdir()
    (crate / "src" / "lib.rs").write_text("#[no_mangle]\npub extern \"C\" fn f() {}\n")
    app = make_app(start_area="smartmodules")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        build = app.query_one(BuildView)
        build.start(crate)
        assert build.building
        await pilot.press("escape")
        await wait_for(pilot, lambda: not build.building, timeout=120)
        state = str(app.query_one("#build-state").render())
        assert build.result is None or "built" in state  # a very fast cargo may finish
        assert "cancelled" in state or "built" in state


def test_chain_text_and_samples_parse() -> None:
    specs = parse_chain("- uses: a\n  with: {n: '3', s: x, l: [1, 2]}\n- b.wasm\n")
    assert [s.uses for s in specs] == ["a", "b.wasm"]
    assert specs[0].params == {"n": "3", "s": "x", "l": "[1, 2]"}
    # the same rules as a connector's transforms: a number must be quoted
    with pytest.raises(WeirError, match=r"^chain:2:13: .*strings, lists or maps"):
        parse_chain("- uses: a\n  with: {n: 3}\n")
    records = sample_records("k1 => v1\n\nplain\n", 5)
    assert [(r.offset, r.key, r.value) for r in records] == [(0, b"k1", b"v1"),
                                                           (1, None, b"plain")]


async def test_playground_captures_samples_from_a_topic(weir_home: Path) -> None:
    from runtime.topics import open_store
    from runtime.topics.record import ProduceRecord
    from runtime.topics.store import TopicSpec

    store = open_store()
    store.create_topic(TopicSpec("facts", partitions=1))
    store.append("facts", [ProduceRecord(b"fact %d" % i, key=b"k" if i == 29 else None)
                           for i in range(30)])
    store.close()
    app = make_app(start_area="smartmodules")
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        playground = app.query_one(Playground)
        playground.focus_default()
        await pilot.press("ctrl+t")
        await answer_prompt(pilot, "facts")
        samples = playground.query_one("#pg-samples")
        await wait_for(pilot, lambda: samples.text.startswith("fact 10\n"))
        assert samples.text.splitlines()[-1] == "k => fact 29"
        await wait_for(pilot, lambda: len(playground.columns) == 1
                       and len(playground.columns[0].records) == 20)
