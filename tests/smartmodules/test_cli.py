"""`weir smartmodule create|list|describe|delete|test` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import run_weir
from tests.smartmodules import wat


@pytest.fixture
def mods(tmp_path):
    for name in ("filter", "map", "filter_map", "params", "lookback", "aggregate", "wasi_hello"):
        wat.write(tmp_path, name)
    wat.write(tmp_path, "misbehave", "loop")
    return tmp_path


def test_registry_lifecycle(mods):
    r = run_weir("smartmodule", "create", "acme/upper@0.1.0", "--wasm-file", str(mods / "map.wasm"))
    assert r.returncode == 0, r.stderr
    assert 'smartmodule "acme/upper@0.1.0" has been created (map' in r.stderr
    assert run_weir("smartmodule", "create", "keep", "--wasm-file",
                    str(mods / "filter.wasm")).returncode == 0
    again = run_weir("smartmodule", "create", "keep", "--wasm-file", str(mods / "map.wasm"))
    assert again.returncode == 1 and "already exists" in again.stderr
    table = run_weir("smartmodule", "list")
    lines = table.stdout.splitlines()
    assert lines[0].split() == ["NAME", "KIND", "SIZE"]
    assert lines[1].split()[:2] == ["acme/upper@0.1.0", "map"]
    assert lines[2].split()[:2] == ["keep", "filter"]
    data = json.loads(run_weir("smartmodule", "list", "-O", "json").stdout)
    assert [(d["name"], d["kind"]) for d in data] == [("acme/upper@0.1.0", "map"),
                                                      ("keep", "filter")]
    assert data[0]["size"] == len(wat.wasm("map"))
    from runtime.human import human_size

    assert lines[1].split(None, 2)[2] == human_size(data[0]["size"])  # B or KiB, as build
    desc = run_weir("smartmodule", "describe", "keep")
    assert "kind       filter" in desc.stdout and "env.copy_records" in desc.stdout
    test = run_weir("smartmodule", "test", "acme/upper@0.1.0", "--text", "hi")
    assert (test.returncode, test.stdout) == (0, "HI\n")
    assert run_weir("smartmodule", "delete", "keep").returncode == 0
    gone = run_weir("smartmodule", "delete", "keep")
    assert gone.returncode == 1 and "not found" in gone.stderr
    assert "acme/upper@0.1.0" in gone.stderr  # the hint lists what is registered


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("Bad", None, "Contain only lowercase alphanumeric"),
    ("a/b/c", None, "at most one `/`"),
    ("ok", b"not wasm", "not a WebAssembly module"),
    ("ok", wat.raw_module('(module (memory (export "memory") 1))'), "does not import"),
])
def test_create_refusals(tmp_path, name, content, reason):
    path = tmp_path / "m.wasm"
    path.write_bytes(content if content is not None else wat.wasm("filter"))
    r = run_weir("smartmodule", "create", name, "--wasm-file", str(path))
    assert r.returncode == 1 and reason in r.stderr and "Traceback" not in r.stderr
    assert run_weir("smartmodule", "list", "-O", "json").stdout.strip() == "[]"


def test_inputs_keys_and_stdin(mods):
    f = str(mods / "filter.wasm")
    r = run_weir("smartmodule", "test", "--wasm-file", f, input="a\n#b\nc\n")
    assert r.stdout == "a\nc\n"
    r = run_weir("smartmodule", "test", "--wasm-file", f, "--key", "k", "-k", "--text", "v")
    assert r.stdout == "[k] v\n"
    samples = mods / "s.txt"
    samples.write_text("one\ntwo\n")
    r = run_weir("smartmodule", "test", "--wasm-file", str(mods / "map.wasm"), "--file",
                 str(samples), "--raw")
    assert r.stdout == "ONE\nTWO\n\n"  # one record holding both lines


def test_params_and_missing_param(mods):
    p = str(mods / "params.wasm")
    ok = run_weir("smartmodule", "test", "--wasm-file", p, "-e", "key=b", input="abc\nxyz\n")
    assert (ok.returncode, ok.stdout) == (0, "abc\n")
    missing = run_weir("smartmodule", "test", "--wasm-file", p, "--text", "abc")
    assert missing.returncode == 1
    assert "params.wasm" in missing.stderr and "hint: Missing param key" in missing.stderr
    js = run_weir("smartmodule", "test", "--wasm-file", p, "--text", "abc", "--json")
    doc = json.loads(js.stdout)
    assert js.returncode == 1 and doc["records"] == [] and doc["error"]["hint"] == \
        "Missing param key"


def test_json_reports_load_errors(tmp_path):
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(b"nope")
    r = run_weir("smartmodule", "test", "--wasm-file", str(bad), "--text", "a", "--json")
    doc = json.loads(r.stdout)
    assert r.returncode == 1 and doc["records"] == []
    assert doc["error"]["kind"] == "invalid-module" and "not a WebAssembly" in doc["error"][
        "message"]


def test_error_exit_keeps_partial_output(mods):
    r = run_weir("smartmodule", "test", "--wasm-file", str(mods / "filter_map.wasm"),
                 input="1\nx\n3\n")
    assert r.returncode == 1 and r.stdout == "1\n"
    assert "filter_map.wasm` at offset 1" in r.stderr
    assert "hint: invalid digit found in string" in r.stderr


def test_transforms_file_trace_and_json(mods):
    (mods / "t.yaml").write_text("transforms:\n  - uses: ./map.wasm\n"
                                 "  - uses: filter_map.wasm\n")
    r = run_weir("smartmodule", "test", "--transforms-file", str(mods / "t.yaml"), "--trace",
                 input="1\nx\n")
    assert r.returncode == 1 and r.stdout == "1\n"
    assert "# [1] map.wasm (map): 2 records" in r.stderr and "  X" in r.stderr
    assert "# [2] filter_map.wasm (filter_map): 1 record then an error" in r.stderr
    js = run_weir("smartmodule", "test", "--transforms-file", str(mods / "t.yaml"), "--json",
                  "--trace", input="4\n")
    doc = json.loads(js.stdout)
    assert js.returncode == 0 and doc["error"] is None
    assert [r["value"] for r in doc["records"]] == ["4"]
    assert [s["module"] for s in doc["stages"]] == ["map.wasm", "filter_map.wasm"]


def test_transforms_file_errors_name_line_and_column(mods):
    (mods / "bad.yaml").write_text("transforms:\n  - uses: x\n    with: {n: 5}\n")
    r = run_weir("smartmodule", "test", "--transforms-file", str(mods / "bad.yaml"), "--text", "a")
    assert r.returncode == 1 and "bad.yaml:3:15" in r.stderr and "strings, lists or maps" in \
        r.stderr
    (mods / "lines.txt").write_text("a cat\ndog\n")
    r = run_weir("smartmodule", "test", "--transforms-file", str(mods / "lines.txt"), "--text",
                 "a")
    assert r.returncode == 1 and "lines.txt:1:1: the document is a single value" in r.stderr
    assert "expected a mapping with a `transforms:` list" in r.stderr
    assert "apiVersion" not in r.stderr and "- uses: my-filter" in r.stderr


def test_lookback_and_aggregate(mods):
    r = run_weir("smartmodule", "test", "--wasm-file", str(mods / "lookback.wasm"), "--record",
                 "a", "--record", "b", "--lookback-last", "1", input="b\nb\nc\n")
    assert r.stdout == "c\n"
    r = run_weir("smartmodule", "test", "--wasm-file", str(mods / "aggregate.wasm"),
                 "--aggregate-initial", ">", input="a\nb\n")
    assert r.stdout == ">a\n>ab\n"


def test_expect_golden(mods):
    (mods / "exp.txt").write_text("A\nB\n")
    args = ("smartmodule", "test", "--wasm-file", str(mods / "map.wasm"), "--expect",
            str(mods / "exp.txt"))
    assert run_weir(*args, input="a\nb\n").returncode == 0
    bad = run_weir(*args, input="a\nc\n")
    assert bad.returncode == 1 and "-B" in bad.stderr and "+C" in bad.stderr


def test_limits_and_wasi(mods):
    r = run_weir("smartmodule", "test", "--wasm-file", str(mods / "misbehave-loop.wasm"),
                 "--text", "a", "--time-limit", "200ms")
    assert r.returncode == 1 and "time limit of 200 ms" in r.stderr
    r = run_weir("smartmodule", "test", "--wasm-file", str(mods / "wasi_hello.wasm"), "--text", "a")
    assert r.stdout == "a\n" and "[wasi_hello.wasm] hello from wasm" in r.stderr


@pytest.mark.parametrize("args", [
    (),
    ("x", "--wasm-file", "y.wasm"),
    ("x", "--text", "a", "--file", "f"),
    ("x", "-e", "novalue"),
    ("--transforms-file", "t.yaml", "-e", "a=b"),
    ("--wasm-file", "missing.wasm", "--text", "a"),
    ("--transforms-file", "missing.yaml", "--text", "a"),
    ("x", "--time-limit", "soon"),
])
def test_usage_errors_exit_2(args):
    r = run_weir("smartmodule", "test", *args, input="")
    assert r.returncode == 2, r.stderr


def test_damaged_entries_are_listed_described_and_deletable(mods, weir_home):
    for name in ("good", "broken-meta", "no-wasm"):
        created = run_weir("smartmodule", "create", name, "--wasm-file", str(mods / "map.wasm"))
        assert created.returncode == 0, created.stderr
    data = json.loads(run_weir("smartmodule", "describe", "good", "-O", "json").stdout)
    root = Path(data["path"]).parent.parent
    (root / "broken-meta" / "meta.json").write_text('{"name": "broken-meta",\n  "kind": }\n')
    (root / "no-wasm" / "module.wasm").unlink()
    (root / "Stray_Dir").mkdir()  # not even a valid name: still shown, still deletable

    listed = run_weir("smartmodule", "list")
    assert listed.returncode == 0, listed.stderr
    rows = [line.split() for line in listed.stdout.splitlines()[1:]]
    assert rows == [["Stray_Dir", "DAMAGED", "-"], ["broken-meta", "DAMAGED", "-"],
                    ["good", "map", rows[2][2], rows[2][3]], ["no-wasm", "DAMAGED", "-"]]
    assert "`broken-meta`: meta.json:2:11: invalid JSON: Expecting value" in listed.stderr
    assert "`no-wasm`: module.wasm is missing" in listed.stderr
    assert "`Stray_Dir`: meta.json is missing" in listed.stderr
    as_json = {d["name"]: d for d in json.loads(
        run_weir("smartmodule", "list", "-O", "json").stdout)}
    assert as_json["good"]["damaged"] is None and as_json["good"]["kind"] == "map"
    assert as_json["no-wasm"]["damaged"] == "module.wasm is missing"
    assert as_json["broken-meta"]["kind"] is None

    described = run_weir("smartmodule", "describe", "broken-meta")
    assert described.returncode == 0, described.stderr
    assert "DAMAGED" in described.stdout
    assert "meta.json:2:11: invalid JSON" in described.stdout
    assert str(root / "broken-meta") in described.stdout
    assert "--force" in described.stderr and "smartmodule delete broken-meta" in described.stderr
    used = run_weir("smartmodule", "test", "no-wasm", "--text", "x")
    assert used.returncode == 1 and "damaged: module.wasm is missing" in used.stderr

    for name in ("broken-meta", "no-wasm", "Stray_Dir"):
        deleted = run_weir("smartmodule", "delete", name)
        assert deleted.returncode == 0, (name, deleted.stderr)
    final = json.loads(run_weir("smartmodule", "list", "-O", "json").stdout)
    assert [d["name"] for d in final] == ["good"]
    assert sorted(p.name for p in root.iterdir()) == ["good"]
