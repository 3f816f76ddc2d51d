"""`weir demo` prepares the offline demo, and running it again changes nothing."""

from __future__ import annotations

from smartmodules import registry
from tests.conftest import run_weir
from tests.connectors.helpers import topic_records


def test_demo_registers_modules_and_fills_the_topic_once():
    first = run_weir("demo")
    assert first.returncode == 0, first.stderr
    assert "SmartModule `catfact-map`: registered" in first.stderr
    assert {"catfact-map", "contains-filter", "parse-int"} <= {
        e.name for e in registry.list_modules()}
    records = topic_records("demo")
    assert len(records) == 50 and b'"level"' in records[0].value

    again = run_weir("demo")
    assert again.returncode == 0, again.stderr
    assert "already registered" in again.stderr and "already holds 50" in again.stderr
    assert len(topic_records("demo")) == 50


def test_demo_without_examples_is_an_environment_error(tmp_path):
    result = run_weir("demo", "--examples", str(tmp_path / "missing"))
    assert result.returncode == 2 and "examples/" in result.stderr
