"""A damaged compiled-module cache entry is recompiled, never handed to wasmtime: wasmtime
runs a serialized module's machine code as it finds it, and before the digest a block of
flipped bytes in a `.cwasm` crashed every later use with SIGSEGV (exit 139)."""

from __future__ import annotations

from pathlib import Path

import pytest

from smartmodules import cache
from tests.conftest import REPO, run_weir

FILTER = REPO / "examples" / "smartmodules" / "prebuilt" / "contains_filter.wasm"
CONSUME = ("consume", "events", "-B", "-d", "--smartmodule", str(FILTER), "-e", "contains=cat")


def _entry(weir_home: Path) -> Path:
    return weir_home / "cache" / "wasm" / f"{cache.cache_key(FILTER.read_bytes())}.cwasm"


@pytest.fixture
def events() -> None:
    assert run_weir("topic", "create", "events").returncode == 0
    assert run_weir("produce", "events", input="a cat\na dog\n").returncode == 0


def test_a_cache_entry_with_flipped_bytes_is_recompiled_not_run(events, weir_home):
    first = run_weir(*CONSUME)
    assert first.returncode == 0 and first.stdout == "a cat\n", first.stderr
    entry = _entry(weir_home)
    data = bytearray(entry.read_bytes())
    header = len(cache.MAGIC) + 32
    # Flip a block in the middle of the machine code, as a bad disk sector or a torn copy
    # would (this exact damage crashed the process before entries carried a digest).
    body = len(data) - header
    for i in range(header + body * 3 // 10, header + body // 2):
        data[i] ^= 0xFF
    entry.write_bytes(bytes(data))

    for _ in range(2):  # and every later use
        again = run_weir(*CONSUME)
        assert again.returncode == 0, (again.returncode, again.stderr)
        assert again.stdout == "a cat\n"
    assert cache.read_entry(entry) is not None  # replaced by a good one


def test_any_damage_to_an_entry_is_detected_before_loading(tmp_path):
    wasm = FILTER.read_bytes()
    module, _ = cache.load_compiled(wasm, use_cache=False)
    artefact = module.serialize()
    path = tmp_path / "entry.cwasm"
    cache.write_entry(path, artefact)
    good = path.read_bytes()
    assert cache.read_entry(path) == artefact

    step = max(1, len(good) // 300)
    damaged = [good[:i] + bytes([good[i] ^ 0x01]) + good[i + 1:]
               for i in [*range(0, len(good), step), len(good) - 1]]
    damaged += [good[:n] for n in (0, 5, len(cache.MAGIC) + 31, len(good) // 2, len(good) - 1)]
    damaged += [artefact, good + b"\0"]  # an older Weir's raw entry; trailing junk
    for data in damaged:
        path.write_bytes(data)
        assert cache.read_entry(path) is None
        assert not path.exists()  # removed, so the next load writes a good one


def test_an_intact_entry_of_another_engine_is_recompiled(tmp_path, weir_home):
    """An entry whose digest matches but whose artefact wasmtime refuses (the other
    engine's flags, another wasmtime) is replaced, not fatal."""
    wasm = FILTER.read_bytes()
    plain, _ = cache.load_compiled(wasm, use_cache=False, timed=False)
    entry = _entry(weir_home)
    cache.write_entry(entry, plain.serialize())  # under the timed engine's key
    module, from_cache = cache.load_compiled(wasm, timed=True)
    assert not from_cache and module is not None
    loaded, from_cache = cache.load_compiled(wasm, timed=True)
    assert from_cache


def test_a_registered_module_changed_on_disk_is_refused_by_name(events, weir_home):
    name = "acme/contains@0.1.0"
    assert run_weir("smartmodule", "create", name, "--wasm-file", str(FILTER)).returncode == 0
    stored = next((weir_home / "data" / "smartmodules").glob("*/module.wasm"))
    data = bytearray(stored.read_bytes())
    data[len(data) // 2] ^= 0x01
    stored.write_bytes(bytes(data))
    used = run_weir("consume", "events", "-B", "-d", "--smartmodule", name, "-e", "contains=cat")
    assert used.returncode == 1, used.stderr
    assert f"SmartModule `{name}` is damaged" in used.stderr
    assert str(stored) in used.stderr and "--force" in used.stderr
    assert "Traceback" not in used.stderr


def test_a_damaged_wheelhouse_entry_is_rebuilt_not_read(tmp_path):
    from runtime.launch.wheelhouse import _complete_wheels

    (tmp_path / "a-1.0-py3-none-any.whl").write_bytes(b"PK")
    done = tmp_path / "complete.json"
    for text in (b"", b"[\"a-1.0-py3", b"\xff\xfe", b"{}", b"[1]", b"[\"../x.whl\"]",
                 b"[\"b-1.0-py3-none-any.whl\"]"):
        done.write_bytes(text)
        assert _complete_wheels(tmp_path) is None, text
    done.write_text('["a-1.0-py3-none-any.whl"]')
    assert _complete_wheels(tmp_path) == [tmp_path / "a-1.0-py3-none-any.whl"]
