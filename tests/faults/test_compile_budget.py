"""Compiling a module has a bound: one that would take more memory to compile than the
memory limit is refused before Cranelift sees it (200,000 functions took 1.06 GB)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import wasmtime

from smartmodules.compile_budget import (
    BODY_COST,
    FUNCTION_COST,
    ModuleShape,
    estimate,
    module_shape,
)
from tests.conftest import REPO, run_weir
from tests.faults.wasmgen import module

PREBUILT = sorted((REPO / "examples" / "smartmodules" / "prebuilt").glob("*.wasm"))

# Run argv, then print the child's peak RSS in bytes on the last stderr line.
PEAK = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024, "
        "file=sys.stderr); sys.exit(done.returncode)")


def _weir_with_peak(*args: str) -> tuple[subprocess.CompletedProcess, int]:
    done = subprocess.run([sys.executable, "-c", PEAK, sys.executable, "-m", "tui.cli.main",
                           *args], capture_output=True, text=True, cwd=REPO, timeout=300)
    *lines, peak = done.stderr.splitlines()
    done.stderr = "\n".join(lines)
    return done, int(peak)


def test_200k_functions_are_refused_with_the_default_limit_before_compiling(tmp_path):
    wasm = tmp_path / "huge.wasm"
    wasm.write_bytes(module(200_000))
    done, peak = _weir_with_peak("smartmodule", "test", "--wasm-file", str(wasm),
                                 "--text", "x")
    assert done.returncode == 1, done.stderr
    first = done.stderr.splitlines()[0]
    assert first.startswith("error: huge.wasm: compiling it would take about 1,229 MB of "
                            "memory (200,000 functions, 0.6 MB of code), more than the "
                            "memory limit of 1,000 MB"), first
    assert "--memory-limit" in done.stderr and "Traceback" not in done.stderr
    assert peak < 300_000_000  # nothing was compiled (compiling it peaks at 1.1 GB)


def test_the_bound_follows_memory_limit(tmp_path):
    wasm = tmp_path / "wide.wasm"
    wasm.write_bytes(module(20_000))  # about 123 MB to compile, by the estimate
    refused = run_weir("smartmodule", "test", "--wasm-file", str(wasm), "--text", "x",
                       "--memory-limit", "100MB")
    assert refused.returncode == 1
    assert "compiling it would take about 123 MB" in refused.stderr
    assert "more than the memory limit of 100 MB" in refused.stderr
    compiled = run_weir("smartmodule", "test", "--wasm-file", str(wasm), "--text", "x",
                        "--json")
    # Compiled, then refused for what it is (no SmartModule ABI), not for its size.
    assert compiled.returncode == 1
    assert "does not import `copy_records`" in json.loads(compiled.stdout)["error"]["message"]


@pytest.mark.parametrize("functions, ops", [(20_000, 0), (1, 1_000_000), (2, 1_000_000)],
                         ids=["20k-empty", "one-3MB-body", "two-3MB-bodies"])
def test_the_estimate_is_never_below_what_compiling_takes(tmp_path, functions, ops):
    wasm = module(functions, ops)
    path = tmp_path / "m.wasm"
    path.write_bytes(wasm)
    warm = tmp_path / "one.wasm"
    warm.write_bytes(module(1))
    # The engine compiles a one-function module first: its own few MB are spent anyway.
    measure = ("import resource, sys, wasmtime; engine = wasmtime.Engine(); "
               "wasmtime.Module(engine, open(sys.argv[2], 'rb').read()); "
               "wasm = open(sys.argv[1], 'rb').read(); "
               "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss; "
               "wasmtime.Module(engine, wasm); "
               "print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * 1024)")
    done = subprocess.run([sys.executable, "-c", measure, str(path), str(warm)],
                          capture_output=True, text=True, check=True, timeout=300)
    assert int(done.stdout) <= estimate(module_shape(wasm))


def test_shape_counts_functions_and_the_largest_bodies():
    shape = module_shape(module(5, 10), keep=2)
    body = 1 + 3 * 10 + 1
    assert shape == ModuleShape(functions=5, code_bytes=5 * (1 + body),
                                largest_bodies=(body, body))
    assert estimate(shape) == 5 * FUNCTION_COST + 2 * body * BODY_COST
    assert module_shape(b"\0asm\1\0\0\0") == ModuleShape(0, 0, ())
    # cut off inside a length: wasmtime will say what is wrong
    assert module_shape(b"\0asm\1\0\0\0\x0a\x85") == ModuleShape(0, 0, ())


@pytest.mark.parametrize("path", PREBUILT, ids=lambda p: p.name)
def test_real_smartmodules_are_far_below_the_default_bound(path):
    wasm = path.read_bytes()
    wasmtime.Module(wasmtime.Engine(), wasm)  # a valid module
    assert estimate(module_shape(wasm)) < 100_000_000
