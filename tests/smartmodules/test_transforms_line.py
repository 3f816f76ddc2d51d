"""`--transforms-line` on `smartmodule test`, `produce` and `consume`: one entry of a
`transforms:` list given inline (JSON or YAML), repeatable into a chain, as Fluvio's CLI
takes it; run through the real `weir` with real prebuilt SmartModules."""

from __future__ import annotations

import json

from tests.conftest import REPO, run_weir

PREBUILT = REPO / "examples" / "smartmodules" / "prebuilt"
CONTAINS = str(PREBUILT / "contains_filter.wasm")
PARSE_INT = str(PREBUILT / "parse_int.wasm")


def ok(*args: str, input: str | None = None):
    result = run_weir(*args, input=input)
    assert result.returncode == 0, (args, result.stderr)
    return result


def test_smartmodule_test_takes_json_and_yaml_entries_and_chains_them():
    ok("smartmodule", "create", "contains", "--wasm-file", CONTAINS)
    as_json = ok("smartmodule", "test", "--transforms-line",
                 '{"uses": "contains", "with": {"contains": "cat"}}',
                 input="cat\ndog\ncatalog\n")
    assert as_json.stdout.split() == ["cat", "catalog"]
    as_yaml = ok("smartmodule", "test",
                 "--transforms-line", 'uses: contains\nwith: {contains: "1"}',
                 "--transforms-line", f"{{uses: {PARSE_INT}}}", input="1\n21\n3\n")
    assert as_yaml.stdout.split() == ["1", "21"]  # filtered, then parsed by the second module
    traced = json.loads(ok("smartmodule", "test", "--json", "--trace", "--transforms-line",
                           '{"uses": "contains", "with": {"contains": "a"}}', "--text",
                           "a").stdout)
    assert [s["module"] for s in traced["stages"]] == ["contains"]


def test_bad_lines_are_located_and_usage_is_checked():
    bad = run_weir("smartmodule", "test", "--transforms-line", "[1, 2]", "--text", "x")
    assert bad.returncode == 1
    assert bad.stderr.startswith("error: --transforms-line #1: expected one transform")
    typo = run_weir("smartmodule", "test", "--transforms-line", '{"uses": "m", "wth": {}}',
                    "--text", "x")
    assert typo.returncode == 1
    assert "--transforms-line #1:1:22: unknown key `wth`" in typo.stderr
    both = run_weir("smartmodule", "test", "m", "--transforms-line", "{uses: m}", "--text", "x")
    assert both.returncode == 2 and "exactly one of NAME" in both.stderr
    params = run_weir("consume", "t", "--transforms-line", "{uses: m}", "-e", "a=b")
    assert params.returncode == 2 and "give params with `with:`" in params.stderr
    mixed = run_weir("produce", "t", "--transforms-line", "{uses: m}", "--smartmodule", "m",
                     input="x\n")
    assert mixed.returncode == 2
    assert "--smartmodule and --transforms-line cannot be used together" in mixed.stderr


def test_produce_and_consume_apply_the_inline_chain():
    ok("topic", "create", "pets")
    ok("produce", "pets", "--transforms-line",
       json.dumps({"uses": CONTAINS, "with": {"contains": "o"}}), input="cat\ndog\nfox\n")
    assert ok("consume", "pets", "-B", "-d").stdout.split() == ["dog", "fox"]
    filtered = ok("consume", "pets", "-B", "-d", "--transforms-line",
                  f"{{uses: {CONTAINS}, with: {{contains: f}}}}")
    assert filtered.stdout.split() == ["fox"]
