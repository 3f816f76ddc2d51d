"""`weir validate` and `weir config new|schema` as a user runs them."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from runtime.config.connector_types import BUILTIN_TYPES, cannot_run_message
from runtime.config.starters import LEGACY_ONLY, starter_types
from runtime.config.validate import validate_text
from tests.config.helpers import CURRENT, weir
from tests.conftest import REPO, run_weir

EXAMPLES = REPO / "examples" / "connectors"


def test_validate_human_output_shape():
    path = str(EXAMPLES / "invalid" / "typos.yaml")
    r = weir("validate", path)
    assert r.returncode == 1
    lines = r.stdout.splitlines()
    assert lines[0] == f"{path}:7:3: warning[unknown-key]: unknown key `prodcer` in `meta`; " \
        "Fluvio ignores it"
    assert lines[1] == "  hint: did you mean `producer`?"
    assert f"{path}:12:16: error[invalid-enum]:" in r.stdout
    assert lines[-1] == "1 file checked: 1 file invalid (1 error, 2 warnings)"
    assert r.stderr == ""


def test_validate_json_exact_shape(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(CURRENT.replace("interval: 10s", "interval: 10"))
    r = weir("validate", "--json", str(EXAMPLES / "cat-facts.yaml"), str(bad))
    assert r.returncode == 1
    doc = json.loads(r.stdout)
    assert list(doc) == ["files"]
    good, broken = doc["files"]
    (note,) = good.pop("diagnostics")  # catfact-map is not in this fresh home's registry
    assert good == {"path": str(EXAMPLES / "cat-facts.yaml"), "valid": True,
                    "format": "current"}
    assert (note["severity"], note["code"], note["line"]) == (
        "info", "smartmodule-not-registered", 17)
    assert broken["valid"] is False and broken["format"] == "current"
    (d,) = broken["diagnostics"]
    assert list(d) == ["severity", "code", "message", "line", "column", "hint"]
    assert (d["severity"], d["code"], d["line"], d["column"]) == \
        ("error", "invalid-duration", 9, 13)


def test_not_yaml_still_gets_an_entry(tmp_path):
    f = tmp_path / "binary.yaml"
    f.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    r = weir("validate", "--json", str(f))
    assert r.returncode == 1
    (entry,) = json.loads(r.stdout)["files"]
    assert entry["format"] is None and entry["diagnostics"][0]["code"] == "nul-byte"


def test_exit_codes(tmp_path):
    assert run_weir("validate", str(EXAMPLES / "demo.yaml")).returncode == 0
    missing = run_weir("validate", "--json", str(EXAMPLES / "demo.yaml"),
                       str(tmp_path / "nope.yaml"))
    assert missing.returncode == 2
    files = json.loads(missing.stdout)["files"]
    assert files[1]["diagnostics"][0]["code"] == "file-unreadable"
    empty = tmp_path / "empty"
    empty.mkdir()
    r = weir("validate", str(empty))
    assert r.returncode == 2 and "no *.yaml" in r.stdout
    assert run_weir("validate").returncode == 2
    assert weir("validate", "--bogus", "x").returncode == 2


def test_strict_makes_warnings_fail():
    path = str(EXAMPLES / "invalid" / "misplaced.yaml")
    assert weir("validate", path).returncode == 0
    r = weir("validate", "--strict", "--json", path)
    assert r.returncode == 1
    assert json.loads(r.stdout)["files"][0]["valid"] is False


def test_stdin():
    r = weir("validate", "-", input=CURRENT)
    assert r.returncode == 0
    r = weir("validate", "-", input="meta: [\n")
    assert r.returncode == 1 and "<stdin>:" in r.stdout


SECRET = CURRENT.replace("  topic: cat-facts\n", "  topic: cat-facts\n  secrets:\n"
                         "    - name: API_KEY\n") + \
    '  headers: ["Authorization: Bearer ${{ secrets.API_KEY }}"]\n'


def test_secrets_file_and_environment(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(SECRET)
    secrets = tmp_path / "c.secrets"
    secrets.write_text("API_KEY=sup3r-s3cret\n")
    assert weir("validate", str(cfg)).returncode == 0
    r = weir("validate", str(cfg), "--secrets", str(secrets))
    assert r.returncode == 0, r.stdout
    empty = tmp_path / "empty.secrets"
    empty.write_text("# nothing\n")
    r = weir("validate", str(cfg), "--secrets", str(empty), env={"API_KEY": ""})
    assert r.returncode == 0  # an empty value in the environment is still a value
    r = weir("validate", "--json", str(cfg), "--secrets", str(empty))
    assert r.returncode == 1
    (d,) = json.loads(r.stdout)["files"][0]["diagnostics"]
    assert (d["code"], d["line"], d["column"]) == ("secret-not-found", 8, 13)
    r = weir("validate", str(cfg), "--secrets", str(tmp_path / "nope"))
    assert r.returncode == 2 and "secrets file not found" in r.stderr


def test_secrets_file_bad_lines_reported(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text(SECRET)
    secrets = tmp_path / "c.secrets"
    secrets.write_text("API_KEY=k3y-value\nthis line is wrong\n")
    r = weir("validate", str(cfg), "--secrets", str(secrets))
    assert r.returncode == 1
    assert f"{secrets}:2: expected NAME=value" in r.stdout


def test_secret_values_are_masked_in_output(tmp_path):
    cfg = tmp_path / "legacy.yaml"
    cfg.write_text("version: 0.3.0\nname: a\ntype: http\ntopic: a\nparameters:\n"
                   "  endpoint: tok-9f8e7d6c\nsecrets:\n  TOKEN: tok-9f8e7d6c\n")
    for args in ((), ("--json",)):
        r = weir("validate", *args, str(cfg))
        assert r.returncode == 1
        assert "tok-9f8e7d6c" not in r.stdout + r.stderr
        assert "******" in r.stdout


def test_validate_imports_nothing_heavy():
    code = (
        "import sys; sys.argv=['weir','validate','examples/connectors/cat-facts.yaml'];\n"
        "from tui.cli.main import main\n"
        "try:\n    main()\nexcept SystemExit: pass\n"
        "heavy=[m for m in ('textual','wasmtime','docker','fastapi','uvicorn','httpx') "
        "if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)"
    )
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert "HEAVY []" in r.stderr, r.stderr


@pytest.mark.parametrize("type_name", starter_types())
def test_config_new_is_valid_and_commented(type_name, tmp_path):
    r = weir("config", "new", type_name)
    assert r.returncode == 0
    assert r.stdout.startswith("# ")
    report = validate_text(r.stdout)
    runnable = BUILTIN_TYPES[type_name].runnable
    expected = [] if runnable else [("info", "not-runnable", cannot_run_message(type_name))]
    assert report.valid, report.diagnostics
    # besides, only infos on the parameters Weir's connector reads and Fluvio's does not
    assert [(d.severity, d.code, d.message) for d in report.diagnostics
            if d.code != "weir-only-key"] == expected
    assert all(d.severity == "info" for d in report.diagnostics)
    assert f"type: {type_name}" in r.stdout


def test_config_new_refuses_a_legacy_only_type():
    r = weir("config", "new", "slack-sink")
    assert r.returncode == 2
    assert "legacy format (version 0.x) only" in r.stderr and "did you mean" not in r.stderr


def test_config_new_options(tmp_path):
    out = tmp_path / "g.yaml"
    r = weir("config", "new", "generator", "-o", str(out), "--name", "gen", "--topic", "t1")
    assert r.returncode == 0
    assert "name: gen" in out.read_text() and "topic: t1" in out.read_text()
    assert weir("validate", str(out)).returncode == 0
    assert weir("config", "new", "generator", "-o", str(out)).returncode == 1
    r = weir("config", "new", "htp")
    assert r.returncode == 2 and "did you mean `http-source`" in r.stderr
    assert weir("config", "new", "http-source", "--name", "Bad_Name").returncode == 1


@pytest.mark.parametrize("fmt,root", [("current", "apiVersion"), ("legacy", "parameters")])
def test_config_schema(fmt, root):
    r = weir("config", "schema", "--format", fmt)
    assert r.returncode == 0
    schema = json.loads(r.stdout)
    assert schema["$schema"].startswith("https://json-schema.org/")
    assert root in schema["properties"]
    assert "$defs" in schema


def test_config_schema_types_for_completion():
    r = weir("config", "schema", "--types")
    types = {t["type"]: t for t in json.loads(r.stdout)}
    assert set(types) == {*starter_types(), *LEGACY_ONLY}
    http = {p["key"]: p for p in types["http-source"]["parameters"]}
    assert set(http) == {"endpoint", "method", "interval", "headers", "body", "user_agent",
                         "output_type", "output_parts", "stream", "delimiter",
                         "websocket_config", "http_request_timeout", "http_connect_timeout"}
    assert http["endpoint"]["required"] and http["output_type"]["enum"] == ["text", "json"]
    assert types["generator-source"]["legacy_type"] == "generator"


def test_unwritable_output_is_an_environment_error(tmp_path):
    r = weir("config", "new", "http-source", "-o", str(tmp_path / "no" / "such" / "x.yaml"))
    assert r.returncode == 2 and "cannot write" in r.stderr
    r = weir("config", "convert", str(EXAMPLES / "cat-facts.legacy.yaml"), "-o",
             str(tmp_path / "no" / "x.yaml"))
    assert r.returncode == 2 and "cannot write" in r.stderr


def test_validate_a_directory():
    r = weir("validate", "--json", str(EXAMPLES))
    paths = [f["path"] for f in json.loads(r.stdout)["files"]]
    assert paths == sorted(str(p) for p in EXAMPLES.rglob("*.yaml"))
    assert r.returncode == 1


def test_convert_of_an_invalid_file_says_each_error_once(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("version: 0.3.0\nname: Bad_Name\ntype: http\ntopic: t\n"
                   "parameters:\n  endpoint: http://a/\n")
    result = run_weir("config", "convert", str(bad))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.count("Bad_Name` is invalid") == 1, result.stderr
    assert "1 error; nothing converted" in result.stderr


def test_connector_create_shows_each_problem_with_its_hint(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text(CURRENT.replace("name: cat-facts", "name: Cat_Facts"))
    result = run_weir("connector", "create", "--config", str(config))
    assert result.returncode == 1
    assert "error[invalid-name]" in result.stderr
    assert "  hint: did you mean `cat-facts`?" in result.stderr, result.stderr
