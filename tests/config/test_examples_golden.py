"""examples/connectors: the good configs validate clean; each broken one yields exactly
the diagnostics (severity, code, line:column) listed in its trailing `# expect:` block."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from runtime.config.load import load_connector
from runtime.config.validate import validate_file
from tests.config.helpers import weir
from tests.conftest import REPO

EXAMPLES = REPO / "examples" / "connectors"
INVALID = sorted((EXAMPLES / "invalid").glob("*.yaml"))


def _expected(path: Path) -> list[tuple[str, str, int, int]]:
    lines = path.read_text().splitlines()
    start = lines.index("# expect:")
    out = []
    for line in lines[start + 1:]:
        severity, code, at = line.removeprefix("#").split()
        row, col = at.split(":")
        out.append((severity, code, int(row), int(col)))
    return out


def test_there_are_broken_examples():
    assert len(INVALID) >= 15


@pytest.mark.parametrize("path", INVALID, ids=lambda p: p.name)
def test_broken_example_diagnostics(path: Path):
    expected = _expected(path)
    assert expected, "each broken example lists what it breaks"
    report = validate_file(path)
    got = [(d.severity, d.code, d.line, d.column) for d in report.diagnostics]
    assert got == expected
    assert all(d.message and d.line and d.column for d in report.diagnostics)


@pytest.mark.parametrize("name", ["cat-facts.legacy.yaml", "cat-facts.yaml", "demo.yaml"])
def test_good_examples_validate_clean(name: str):
    report = validate_file(EXAMPLES / name)
    assert report.valid and report.diagnostics == []


def test_cat_facts_both_formats_load_to_the_same_spec():
    legacy = load_connector(EXAMPLES / "cat-facts.legacy.yaml", env={})
    current = load_connector(EXAMPLES / "cat-facts.yaml", env={})
    assert legacy.type == current.type == "http-source"
    assert legacy.kind == "source"
    assert legacy.parameters == current.parameters
    assert legacy.transforms == current.transforms
    assert [t.uses for t in legacy.transforms] == ["catfact-map"]
    assert legacy.producer == current.producer
    assert legacy.producer.linger_ms == 1 and legacy.producer.batch_size_bytes == 1_000_000
    assert legacy.producer.compression == "gzip"


def test_demo_is_an_offline_generator_into_demo():
    spec = load_connector(EXAMPLES / "demo.yaml", env={})
    assert spec.type == "generator-source" and spec.topic == "demo"
    assert "{{n}}" in spec.parameters["template"]


def test_cli_json_over_all_examples():
    files = [str(p) for p in [*sorted(EXAMPLES.glob("*.yaml")), *INVALID]]
    result = weir("validate", "--json", *files)
    assert result.returncode == 1
    doc = json.loads(result.stdout)
    assert [f["path"] for f in doc["files"]] == files
    by_name = {Path(f["path"]).name: f for f in doc["files"]}
    assert by_name["demo.yaml"]["valid"] is True
    assert by_name["tabs.yaml"]["format"] is None
    assert by_name["typos.yaml"]["format"] == "current"
