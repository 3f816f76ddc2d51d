"""`-O json` on every verb that acts (topic, produce, consumer, smartmodule, profile,
config): one JSON object describing what it did, and errors as `{"error": {...}}` on
stdout with the usual exit codes. The schemas are in README.md, "JSON output"; the
connector and cluster verbs are in tests/launch/test_json_verbs.py."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from tests.conftest import REPO, run_weir

PREBUILT = REPO / "examples" / "smartmodules" / "prebuilt"


def obj(*args: str, code: int = 0, input: str | None = None, cwd: Path | None = None) -> dict:
    result = run_weir(*args, input=input, cwd=cwd)
    assert result.returncode == code, (args, result.stdout, result.stderr)
    return json.loads(result.stdout)  # exactly one document, nothing else on stdout


def error(*args: str, code: int, input: str | None = None) -> dict:
    doc = obj(*args, code=code, input=input)
    assert set(doc) == {"error"} and set(doc["error"]) == {"code", "message", "hint"}
    return doc["error"]


def test_topic_produce_consumer_verbs():
    created = obj("topic", "create", "orders", "-p", "2", "-O", "json")
    assert created["command"] == "topic create"
    assert (created["topic"]["name"], created["topic"]["partitions"]) == ("orders", 2)
    produced = obj("produce", "orders", "--key", "k", "-O", "json", input="a\nb\nc\n")
    assert produced["command"] == "produce"
    assert (produced["topic"], produced["records"], produced["batches"]) == ("orders", 3, 1)
    (part,) = produced["partitions"]
    assert (part["first_offset"], part["last_offset"], part["records"]) == (0, 2, 3)
    assert produced["compression"] == "none" and produced["compressed"] is False
    assert produced["delivery_semantic"] == "at-least-once"
    run_weir("consume", "orders", "-B", "-d", "-c", "audit")
    deleted = obj("consumer", "delete", "audit", "--json")
    assert deleted["command"] == "consumer delete"
    assert deleted["deleted"] == [{"topic": "orders", "partition": part["partition"]}]
    assert obj("topic", "delete", "orders", "-O", "json") == {"command": "topic delete",
                                                               "deleted": ["orders"]}


def test_errors_are_json_with_the_same_exit_codes():
    missing = error("topic", "delete", "nope", "-O", "json", code=1)
    assert missing["code"] == "not-found" and "`nope`" in missing["message"]
    assert "weir topic create nope" in missing["hint"]
    # a usage error found while parsing, before -O was processed, is JSON too
    usage = error("topic", "create", "x", "--bogus", "-O", "json", code=2)
    assert usage["code"] == "usage" and "--bogus" in usage["message"]
    bad_value = error("produce", "t", "--linger", "soon", "-O", "json", code=2, input="")
    assert bad_value["code"] == "usage" and "--linger" in bad_value["message"]
    invalid = error("topic", "create", "Bad_Name", "-O", "json", code=1)
    assert invalid["code"] == "failed" and "Bad_Name" in invalid["message"]
    gone = error("consumer", "delete", "nobody", "-O", "json", code=1)
    assert gone["code"] == "not-found"
    # without -O json errors stay on stderr
    plain = run_weir("topic", "delete", "nope")
    assert plain.stdout == "" and plain.stderr.startswith("error: topic `nope` not found")


def test_smartmodule_verbs(tmp_path):
    wasm = PREBUILT / "contains_filter.wasm"
    created = obj("smartmodule", "create", "acme/contains@0.1.0", "--wasm-file", str(wasm),
                  "-O", "json")
    assert created["command"] == "smartmodule create"
    sm = created["smartmodule"]
    assert (sm["name"], sm["kind"], sm["size"]) == ("acme/contains@0.1.0", "filter",
                                                    wasm.stat().st_size)
    dup = error("smartmodule", "create", "acme/contains@0.1.0", "--wasm-file", str(wasm),
                "-O", "json", code=1)
    assert "already" in dup["message"]
    assert obj("smartmodule", "delete", "acme/contains@0.1.0", "-O", "json") == {
        "command": "smartmodule delete", "deleted": "acme/contains@0.1.0"}
    generated = obj("smartmodule", "generate", "my-map", "--kind", "map", "--sdk", "none",
                    "-o", str(tmp_path / "my-map"), "-O", "json")
    assert generated["command"] == "smartmodule generate"
    assert generated["path"] == str(tmp_path / "my-map")
    assert "src/lib.rs" in generated["files"]
    assert all((tmp_path / "my-map" / f).is_file() for f in generated["files"])
    not_a_crate = error("smartmodule", "build", str(tmp_path), "-O", "json", code=2)
    assert not_a_crate["code"] == "environment" and "Cargo.toml" in not_a_crate["message"]


def test_profile_verbs(tmp_path):
    added = obj("profile", "add", "scratch", "--data-dir", str(tmp_path / "d"), "-O", "json")
    assert added["command"] == "profile add" and added["active"] is False
    assert (added["profile"]["name"], added["profile"]["kind"]) == ("scratch", "embedded")
    switched = obj("profile", "switch", "scratch", "-O", "json")
    assert switched["command"] == "profile switch"
    assert switched["profile"]["name"] == "scratch" and switched["pinned_connectors"] == []
    assert switched["overridden_by_env"] is None
    deleted = obj("profile", "delete", "scratch", "-O", "json")
    assert deleted == {"command": "profile delete", "deleted": "scratch", "active": "local",
                       "connectors_left": []}
    assert error("profile", "switch", "nope", "-O", "json", code=1)["code"] == "not-found"


def test_config_verbs(tmp_path):
    new = obj("config", "new", "generator-source", "-O", "json")
    assert new["command"] == "config new" and new["output"] is None
    assert "type: generator-source" in new["yaml"]
    out = tmp_path / "gen.yaml"
    written = obj("config", "new", "generator-source", "-o", str(out), "--json")
    assert written["output"] == str(out) and written["yaml"] is None
    assert "type: generator-source" in out.read_text()

    legacy = REPO / "examples" / "connectors" / "cat-facts.legacy.yaml"
    converted = obj("config", "convert", str(legacy), "-O", "json")
    assert converted["command"] == "config convert" and converted["output"] is None
    assert converted["yaml"].startswith("apiVersion:") or "apiVersion: 0.1.0" in converted["yaml"]
    target = tmp_path / "cat-facts.yaml"
    to_file = obj("config", "convert", str(legacy), "-o", str(target), "-O", "json")
    assert to_file["output"] == str(target) and to_file["yaml"] is None
    if to_file["secrets_file"]:
        mode = stat.S_IMODE(Path(to_file["secrets_file"]).stat().st_mode)
        assert mode == 0o600
    missing = error("config", "convert", str(tmp_path / "none.yaml"), "-O", "json", code=2)
    assert missing["code"] == "environment"


@pytest.mark.parametrize("args", [["validate", "--json"],
                                  ["smartmodule", "test", "--json", "--text", "x"]])
def test_json_documents_of_checking_verbs_carry_their_errors_once(args, tmp_path):
    if args[0] == "validate":
        args = [*args, str(REPO / "examples" / "connectors" / "invalid" / "typos.yaml")]
        doc = obj(*args, code=1)
        assert "files" in doc
    else:
        args = [*args, "--wasm-file", str(tmp_path / "missing.wasm")]
        doc = obj(*args, code=2)
        assert doc["records"] == [] and doc["error"]["message"]
