"""`weir smartmodule test --expect FILE [--update]`: golden files written, refreshed and
compared by the real `weir`, with a real prebuilt SmartModule."""

from __future__ import annotations

import json
import stat

from tests.conftest import REPO, run_weir

MAP = REPO / "examples" / "smartmodules" / "prebuilt" / "catfact_map.wasm"
FACTS = "".join(json.dumps({"fact": f"Cats {i}.", "length": 7}) + "\n" for i in range(3))


def test_update_writes_then_the_same_output_matches(tmp_path):
    golden = tmp_path / "expected.txt"
    samples = tmp_path / "facts.txt"
    samples.write_text(FACTS)
    base = ["smartmodule", "test", "--wasm-file", str(MAP), "--file", str(samples),
            "--expect", str(golden)]
    missing = run_weir(*base)
    assert missing.returncode == 2 and "add --update" in missing.stderr
    wrote = run_weir(*base, "--update")
    assert wrote.returncode == 0, wrote.stderr
    assert f"updated {golden}: 3 records" in wrote.stderr
    assert golden.read_text().splitlines() == ['"Cats 0."', '"Cats 1."', '"Cats 2."']
    assert stat.S_IMODE(golden.stat().st_mode) == 0o600
    same = run_weir(*base)
    assert same.returncode == 0 and "ok: the 3 output records match" in same.stderr
    again = run_weir(*base, "--update")
    assert "already matches" in again.stderr

    samples.write_text(FACTS + json.dumps({"fact": "New.", "length": 4}) + "\n")
    differs = run_weir(*base)
    assert differs.returncode == 1
    assert '+"New."' in differs.stderr and "rerun with --update" in differs.stderr
    as_json = run_weir(*base, "--json")
    assert as_json.returncode == 1
    doc = json.loads(as_json.stdout)  # one document: the mismatch is in it, not after it
    assert doc["expect"] == {"file": str(golden), "matched": False, "updated": False}
    golden.chmod(0o644)
    refreshed = run_weir(*base, "--update", "--json")
    assert refreshed.returncode == 0
    assert json.loads(refreshed.stdout)["expect"]["updated"] is True
    assert golden.read_text().splitlines()[-1] == '"New."'
    assert stat.S_IMODE(golden.stat().st_mode) == 0o644  # an existing file keeps its mode


def test_update_is_refused_when_a_module_fails_and_needs_expect(tmp_path):
    golden = tmp_path / "expected.txt"
    golden.write_text("kept\n")
    failed = run_weir("smartmodule", "test", "--wasm-file", str(MAP), "--text", "not json",
                      "--expect", str(golden), "--update")
    assert failed.returncode == 1
    assert "left as it was" in failed.stderr and golden.read_text() == "kept\n"
    usage = run_weir("smartmodule", "test", "--wasm-file", str(MAP), "--text", "x", "--update")
    assert usage.returncode == 2 and "--update needs --expect" in usage.stderr
