"""`weir smartmodule build` with the real toolchain: every `--sdk none` template kind built
with Debian's Rust and run through the engine, the examples rebuilt and compared with their
prebuilt .wasm, and the errors a user meets (compile error, no cargo, no wasm target)."""

from __future__ import annotations

import json
import os
import shutil
import sys
from pathlib import Path

import pytest

from smartmodules.build import build_crate
from smartmodules.devloop import run_samples
from smartmodules.templates import generate_crate
from tests.conftest import REPO, run_weir
from tests.smartmodules.rawcall import RawModule, record, smartmodule_input, values_input

pytestmark = pytest.mark.integration

# kind -> (samples, params, expected output) without and with --with-params
CASES = {
    "filter": ([b"apple", b"berry", b"banana", b"cherry"],
               (None, ["apple", "banana"]), ({"key": "rr"}, ["berry", "cherry"])),
    "map": ([b"1", b"2", b"21"], (None, ["2", "4", "42"]), ({"factor": "3"}, ["3", "6", "63"])),
    "filter-map": ([b"4", b"7", b"10"], (None, ["2", "5"]), ({"divisor": "5"}, ["2"])),
    "array-map": ([b"red, green;blue", b"one,two"],
                  (None, ["red", "green;blue", "one", "two"]),
                  ({"separator": ";"}, ["red, green", "blue", "one,two"])),
    "aggregate": ([b"1", b"2", b"3", b"4"], (None, ["1", "3", "6", "10"]),
                  ({"weight": "2"}, ["2", "6", "12", "20"])),
}


@pytest.mark.parametrize("with_params", [False, True], ids=["plain", "params"])
@pytest.mark.parametrize("kind", list(CASES))
def test_none_template_builds_and_runs(tmp_path: Path, cargo_env, kind: str,
                                       with_params: bool) -> None:
    name = f"tpl-{kind}{'-params' if with_params else ''}"
    crate = generate_crate(name, kind, sdk="none", with_params=with_params,
                           directory=tmp_path / name)
    # Release as users build it, minus LTO: half the CPU time for ten builds, same code paths.
    fast = {**cargo_env, "CARGO_PROFILE_RELEASE_LTO": "false",
            "CARGO_PROFILE_RELEASE_CODEGEN_UNITS": "16"}
    done = run_weir("smartmodule", "build", str(crate.path), "-O", "json", env=fast,
                    timeout=600)
    assert done.returncode == 0, done.stderr
    assert "Compiling" in done.stderr  # cargo's output is streamed to stderr
    report = json.loads(done.stdout)
    assert report["command"] == "smartmodule build"
    wasm = Path(report["artifact"])
    assert wasm.name == name.replace("-", "_") + ".wasm" and wasm.stat().st_size == report["size"]
    samples, plain, with_p = CASES[kind]
    params, expected = with_p if with_params else plain
    sample_file = tmp_path / "samples.txt"
    sample_file.write_bytes(b"".join(s + b"\n" for s in samples))
    args = ["smartmodule", "test", "--wasm-file", str(wasm), "--file", str(sample_file)]
    for key, value in (params or {}).items():
        args += ["-e", f"{key}={value}"]
    tested = run_weir(*args)
    assert tested.returncode == 0, tested.stderr
    assert tested.stdout.splitlines() == expected
    if with_params and kind == "filter":
        missing = run_weir(*args[:6])  # the key param is required
        assert missing.returncode == 1
        assert "Missing param key" in missing.stderr and "Traceback" not in missing.stderr


def test_examples_rebuild_like_prebuilt(cargo_env) -> None:
    """The committed .wasm files are what the sources build to, behaviourally."""
    prebuilt = REPO / "examples" / "smartmodules" / "prebuilt"
    inputs = {
        "catfact_map": ("map", [b'{"fact":"a \\"b\\"\\n\\u00e9","x":[1,2.5]}', b"{}", b"[1",
                                b'{"fact":{"z":1,"a":null}}']),
        "contains_filter": ("filter", [b"cat", b"dog", b"concat"]),
        "parse_int": ("filter_map", [b" 7 ", b"", b"-0", b"99999999999999999999", b"3"]),
        "split_array": ("array_map", [b'[1,"x",{"k":[]}]', b"[]", b"{}"]),
        "concat_aggregate": ("aggregate", [b"x", b"y"]),
        "dedup_filter": ("filter", [b"a", b"b", b"a", b"c", b"b"]),
    }
    for crate_dir in sorted((REPO / "examples" / "smartmodules").glob("*/Cargo.toml")):
        result = build_crate(crate_dir.parent, output=lambda line: None)
        stem = result.artifact.stem
        entry, values = inputs[stem]
        fresh, old = RawModule(result.artifact), RawModule(prebuilt / f"{stem}.wasm")
        if stem == "contains_filter":
            init = b"\x00\x01\x00\x08contains\x00\x03cat\x00"
            assert fresh.call("init", init) == old.call("init", init) == (0, None)
        data = values_input(values, base_offset=40, base_timestamp=1_700_000_000_000)
        if entry == "aggregate":
            data += b"\x00\x00\x00\x01-"
        assert fresh.call(entry, data) == old.call(entry, data), stem
        keyed = smartmodule_input([record(values[0], key=b"k", offset_delta=5)])
        if entry == "aggregate":
            keyed += b"\x00\x00\x00\x00"
        assert fresh.call(entry, keyed) == old.call(entry, keyed), stem


def test_compile_error_is_exit_1(tmp_path: Path, cargo_env) -> None:
    crate = generate_crate("broken", "map", sdk="none", directory=tmp_path / "broken")
    lib = crate.path / "src" / "lib.rs"
    lib.write_text(lib.read_text().replace("let key = record.key.clone();",
                                           "let key = record.key.clone()"))
    done = run_weir("smartmodule", "build", str(crate.path), env=cargo_env, timeout=600)
    assert done.returncode == 1
    assert "error" in done.stderr and "src/lib.rs" in done.stderr  # cargo's own diagnostics
    assert "cargo build failed for broken" in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""


def test_missing_cargo_is_exit_2(tmp_path: Path) -> None:
    crate = generate_crate("nocargo", "filter", sdk="none", directory=tmp_path / "c")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    os.symlink(shutil.which("python3") or "/usr/bin/python3", bin_dir / "python3")
    done = run_weir("smartmodule", "build", str(crate.path),
                    env={"PATH": str(bin_dir), "CARGO_HOME": str(tmp_path / "no-cargo-home")})
    assert done.returncode == 2, done.stderr
    assert "cargo was not found on PATH" in done.stderr
    assert "rustup target add wasm32-unknown-unknown" in done.stderr
    assert "libstd-rust-dev-wasm32" in done.stderr


RUSTUP_BIN = Path.home() / ".cargo" / "bin"


@pytest.mark.skipif(not (RUSTUP_BIN / "cargo").exists(), reason="no rustup toolchain here")
def test_toolchain_without_wasm_target(tmp_path: Path) -> None:
    from smartmodules.toolchain import candidates

    only_rustup = {"PATH": str(RUSTUP_BIN), "HOME": str(Path.home())}
    found = candidates(env=only_rustup)
    if not found or any(t.has_wasm_target for t in found):
        pytest.skip("the rustup toolchain here has the wasm32 target")
    crate = generate_crate("notarget", "filter", sdk="none", directory=tmp_path / "c")
    done = run_weir("smartmodule", "build", str(crate.path),
                    env={"PATH": f"{RUSTUP_BIN}{os.pathsep}{Path(sys.executable).parent}"})
    assert done.returncode == 2, done.stderr
    assert "has the wasm32-unknown-unknown target" in done.stderr
    assert "rustup target add wasm32-unknown-unknown" in done.stderr
    # With Debian's toolchain later on PATH, it is preferred over rustup's.
    full = {"PATH": f"{RUSTUP_BIN}{os.pathsep}{os.environ['PATH']}"}
    from smartmodules.toolchain import find_toolchain

    chosen = find_toolchain(env=full)
    assert chosen.has_wasm_target and chosen.cargo.parent != RUSTUP_BIN
    assert chosen.skipped and str(RUSTUP_BIN / "rustc") in chosen.skipped[0]


def test_build_and_register(tmp_path: Path, cargo_env) -> None:
    crate = generate_crate("reg-me", "filter", sdk="none", directory=tmp_path / "reg")
    done = run_weir("smartmodule", "build", str(crate.path), "--register", "reg-me",
                    env=cargo_env, timeout=600)
    assert done.returncode == 0, done.stderr
    assert "Registered `reg-me` (filter" in done.stderr
    from smartmodules import registry

    entry = registry.get("reg-me")
    assert entry.kind == "filter"
    assert run_samples("reg-me", [b"a", b"b"]).lines == ["a"]
    bad = run_weir("smartmodule", "build", str(crate.path), "--register", "Bad Name!")
    assert bad.returncode == 1 and "Traceback" not in bad.stderr


PROBE_LIB = r'''
#[macro_use]
mod smartmodule;

use std::fmt;

use smartmodule::{RecordData, Result, SmartModuleRecord};

#[derive(Debug)]
struct Outer(std::num::ParseIntError);

impl fmt::Display for Outer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("could not read the count")
    }
}

impl std::error::Error for Outer {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

smartmodule!(look_back);

fn look_back(record: &SmartModuleRecord) -> Result<()> {
    if record.value.as_ref() == b"bad" {
        return Err(eyre!("bad stored record"));
    }
    Ok(())
}

smartmodule!(map);

pub fn map(record: &SmartModuleRecord) -> Result<(Option<RecordData>, RecordData)> {
    match record.value.as_ref() {
        b"panic" => panic!("boom"),
        b"long" => Err(eyre!("{}", "x".repeat(40_000))),
        b"nested" => Err(Outer("q".parse::<i32>().unwrap_err()).into()),
        b"where" => Ok((None, format!("{}@{}", record.offset(), record.timestamp()).into())),
        _ => Ok((record.key.clone(), record.value.clone())),
    }
}
'''


def test_glue_error_paths(tmp_path: Path, cargo_env) -> None:
    """look_back's -99 error, eyre-style causes in hints, long hints, traps, offsets and
    timestamps as the guest sees them: one purpose-built crate on the same glue."""
    import wasmtime

    crate = generate_crate("glue-probe", "map", sdk="none", directory=tmp_path / "probe")
    (crate.path / "src" / "lib.rs").write_text(PROBE_LIB)
    result = build_crate(crate.path, output=lambda line: None)
    m = RawModule(result.artifact)

    rc, out = m.call("look_back", values_input([b"fine", b"bad"]))
    hint = b"bad stored record"
    assert (rc, out) == (-99, len(hint).to_bytes(2, "big") + hint + (1).to_bytes(8, "big")
                         + b"\x00" + b"\x06bad")

    rc, out = m.call("map", values_input([b"ok", b"nested"], base_offset=5))
    hint = b"could not read the count\n\nCaused by:\n    invalid digit found in string"
    assert rc == 1
    assert out.endswith(b"\x01" + len(hint).to_bytes(2, "big") + hint + (6).to_bytes(8, "big")
                        + b"\x01\x00\x0cnested")

    rc, out = m.call("map", values_input([b"long"]))
    assert rc == 0 and out[5:7] == (32767).to_bytes(2, "big") and out[7:7 + 32767] == b"x" * 32767

    data = smartmodule_input([record(b"where", offset_delta=2, timestamp_delta=7)],
                             base_offset=100, base_timestamp=1_000)
    assert m.call("map", data)[1] == bytes.fromhex("00000001") + record(
        b"102@1007", offset_delta=2, timestamp_delta=7) + b"\x00"
    old = smartmodule_input([record(b"where", offset_delta=2, timestamp_delta=7)],
                            base_offset=100, version=21)
    assert m.call("map", old, 21)[1] == bytes.fromhex("00000001") + record(
        b"102@7", offset_delta=2, timestamp_delta=7) + b"\x00"

    with pytest.raises(wasmtime.Trap):
        m.call("map", values_input([b"panic"]))
