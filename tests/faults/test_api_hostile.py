"""Item 10: the cluster's HTTP API answers hostile requests with a 4xx and a JSON body
(error, hint, exit_code, kind), validates a submitted config with the CLI's limits before
anything else parses it, and never writes a traceback to daemon.log."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from runtime.launch.state import read_state
from tests.conftest import run_weir

CONFIG = """\
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: hostile
  type: generator-source
  topic: hostile
generator:
  count: {count}
"""

ALIAS_BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdef", "bcdefg", strict=True))


def _body(config: str, **extra) -> bytes:
    return json.dumps({"config": config, "profile": "local", "cwd": "/tmp", **extra}).encode()


BODIES = {
    "deep flow nesting": _body("[" * 100_000 + "]" * 100_000),
    "deep block nesting": _body("a:\n" + "".join("  " * i + "- \n" for i in range(1, 3000))),
    "a 5000-digit number": _body(CONFIG.format(count="9" * 5000)),
    "NUL byte": _body("apiVersion: 0.1.0\x00"),
    "alias bomb": _body(ALIAS_BOMB),
    "a list": _body("- 1"),
    "a config over 1 MiB": _body("a: " + "x" * 2_000_000),
    "a body over 4 MiB": _body("a: " + "x" * 5_000_000),
    "deeply nested JSON": ('{"config": ' + "[" * 100_000 + "]" * 100_000 + "}").encode(),
    "binary garbage": b"\xff\xfe\x00garbage\x80",
    "empty": b"",
    "null": b"null",
    "a JSON list": b"[]",
    "wrong types": json.dumps({"config": 5, "profile": [], "cwd": {}}).encode(),
    "missing fields": json.dumps({"config": "a: 1"}).encode(),
    "unknown profile": _body(CONFIG.format(count=1), profile="nope"),
}


@pytest.fixture
def api(cluster: Path):
    state = read_state(cluster)
    token = (cluster / "cluster" / "token").read_text().strip()
    with httpx.Client(base_url=f"http://127.0.0.1:{state.port}", timeout=60,
                      headers={"Authorization": f"Bearer {token}"}) as client:
        yield client
    log = (cluster / "cluster" / "daemon.log").read_text()
    assert "Traceback" not in log, log


def _refused(response: httpx.Response, what: str) -> dict:
    assert 400 <= response.status_code < 500, (what, response.status_code, response.text)
    body = response.json()
    assert body.get("error") and "exit_code" in body and body.get("kind"), (what, body)
    assert "internal error" not in body["error"], (what, body)
    return body


def test_hostile_bodies_get_a_4xx_with_json(api):
    for what, content in BODIES.items():
        response = api.post("/connectors", content=content,
                            headers={"content-type": "application/json"})
        _refused(response, what)
    assert api.get("/health").json()["ok"]
    assert api.get("/connectors").json() == []  # nothing half-created


def test_a_config_is_refused_where_the_cli_refuses_it(api):
    body = _refused(api.post("/connectors", content=_body(
        CONFIG.format(count="9" * 5000), source_path="/home/u/hostile.yaml"),
        headers={"content-type": "application/json"}), "huge number")
    assert body["error"].startswith("/home/u/hostile.yaml:8:10: a number of 5000 digits")
    assert body["diagnostics"][0]["code"] == "invalid-value"
    body = _refused(api.post("/connectors", content=BODIES["deep flow nesting"],
                             headers={"content-type": "application/json"}), "deep")
    assert body["diagnostics"][0]["code"] == "yaml-too-deep"


@pytest.mark.parametrize("path", [
    "/connectors/" + "a" * 10_000, "/connectors/..", "/connectors/UPPER", "/connectors/a%00b",
    "/connectors/x/logs?tail=-5", "/connectors/x/logs?since=1e400", "/nowhere",
    "/topics/hostile/consume?partition=99999999999999999999999&follow=false",
    "/topics/hostile/consume?offset=-99999999999999999999999&follow=false",
    "/topics/hostile/consume?tail=99999999999999999999999&follow=false",
    "/topics/" + "A" * 300, "/topics?profile=" + "x" * 5000,
])
def test_hostile_paths_and_queries_get_a_4xx_with_json(api, path):
    assert run_weir("topic", "create", "hostile").returncode == 0
    response = api.get(path)
    if path.startswith("/topics/hostile/consume?") and "partition" not in path:
        # an offset before the first record or a tail longer than the topic: the topic
        assert response.status_code == 200, response.text
        return
    _refused(response, path)
    for method in ("delete", "post"):
        if path.startswith("/connectors/") and "?" not in path:
            _refused(api.request(method.upper(), path + ("/stop" if method == "post" else "")),
                     f"{method} {path}")
