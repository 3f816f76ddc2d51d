"""`weir smartmodule download`: Hub packages built here with the Hub's layout (a tar of
package-meta.yaml, manifest.tar.gz and signature.0), served by a real HTTP server on
127.0.0.1 speaking the Hub's two requests, installed and run by the real `weir`."""

from __future__ import annotations

import hashlib
import io
import json
import stat
import tarfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.conftest import REPO, run_weir

WASM = (REPO / "examples" / "smartmodules" / "prebuilt" / "catfact_map.wasm").read_bytes()
TOKEN = "action-token-123"


def _tar(files: dict[str, bytes], *, gz: bool = False) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz" if gz else "w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def ipkg(group="acme", name="catfact", version="0.2.0", *, wasm=WASM, toml_name=None,
         manifest=("SmartModule.toml", "module.wasm"), tamper=False) -> bytes:
    """A package as Fluvio's `package_assemble` + `package_sign` lay it out."""
    toml = (f'[package]\nname = "{toml_name or name}"\ngroup = "{group}"\n'
            f'version = "{version}"\napiVersion = "0.1.0"\ndescription = "test"\n'
            'license = "Apache-2.0"\n').encode()
    inner = {"SmartModule.toml": toml, "module.wasm": wasm}
    meta = (f'package_format_version: "0.3"\nname: {name}\nversion: "{version}"\n'
            f"group: {group}\ndescription: test\nlicense: Apache-2.0\nvisibility: public\n"
            "manifest:\n" + "".join(f"  - {f}\n" for f in manifest)).encode()
    top = {"package-meta.yaml": meta, "manifest.tar.gz": _tar(inner, gz=True)}
    signature = {"pubkey": "00" * 32, "files": [
        {"name": n, "hash": hashlib.sha512(d).hexdigest(), "len": len(d), "sig": "00" * 64}
        for n, d in top.items()]}
    if tamper:
        top["manifest.tar.gz"] = _tar({**inner, "module.wasm": wasm + b"\0"}, gz=True)
    top["signature.0"] = json.dumps(signature).encode()
    return _tar(top)


class Hub(BaseHTTPRequestHandler):
    packages: dict[str, bytes] = {}

    def log_message(self, *args) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        ok = self.path == "/hub/v0/action" and body == {"act": "dl"}
        self._reply(200 if ok else 400, TOKEN.encode() if ok else b"bad action")

    def do_GET(self) -> None:
        if self.headers.get("Authorization") != TOKEN:
            return self._reply(401, b"no token")
        data = self.packages.get(self.path)
        self._reply(200 if data else 404, data or b"not found")

    def _reply(self, code: int, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def hub():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hub)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Hub.packages = {"/hub/v0/pkg/pub/acme/catfact/0.2.0": ipkg(),
                    "/hub/v0/pkg/pub/acme/liar/1.0.0": ipkg(name="liar", version="1.0.0",
                                                              toml_name="other")}
    try:
        yield {"INFINYON_HUB_REMOTE": f"http://127.0.0.1:{server.server_address[1]}"}
    finally:
        server.shutdown()
        server.server_close()


def test_download_checks_registers_and_the_module_runs(hub):
    done = run_weir("smartmodule", "download", "acme/catfact@0.2.0", env=hub)
    assert done.returncode == 0, done.stderr
    assert done.stderr.startswith('smartmodule "acme/catfact@0.2.0" has been downloaded and '
                                  "registered (map, ")
    described = json.loads(run_weir("smartmodule", "describe", "acme/catfact@0.2.0",
                                    "-O", "json").stdout)
    assert described["sha256"] == hashlib.sha256(WASM).hexdigest()
    assert described["source"].endswith("/hub/v0/pkg/pub/acme/catfact/0.2.0")
    ran = run_weir("smartmodule", "test", "acme/catfact@0.2.0",
                   "--text", '{"fact": "Cats purr.", "length": 10}')
    assert ran.returncode == 0 and ran.stdout.strip() == '"Cats purr."'
    again = run_weir("smartmodule", "download", "acme/catfact@0.2.0", "-O", "json", env=hub)
    assert again.returncode == 1 and "already exists" in json.loads(again.stdout)[
        "error"]["message"]
    forced = run_weir("smartmodule", "download", "acme/catfact@0.2.0", "--force", "-O", "json",
                      env=hub)
    doc = json.loads(forced.stdout)
    assert doc["command"] == "smartmodule download" and doc["saved"] is None
    assert doc["registered"]["name"] == "acme/catfact@0.2.0"


def test_save_with_o_then_install_offline_with_ipkg(hub, tmp_path):
    saved = run_weir("smartmodule", "download", "acme/catfact@0.2.0", "-o", str(tmp_path),
                     env=hub)
    assert saved.returncode == 0, saved.stderr
    path = tmp_path / "acme-catfact-0.2.0.ipkg"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "--ipkg" in saved.stderr
    assert json.loads(run_weir("smartmodule", "list", "-O", "json").stdout) == []
    installed = run_weir("smartmodule", "download", str(path), "--ipkg", "-O", "json")
    assert installed.returncode == 0, installed.stdout
    assert json.loads(installed.stdout)["registered"]["kind"] == "map"


@pytest.mark.parametrize(("package", "message"), [
    (ipkg(tamper=True), "`manifest.tar.gz` does not match its length and SHA-512 in "
     "signature.0: the package is damaged"),
    (ipkg(manifest=("SmartModule.toml", "module.wasm", "README.md")),
     "the manifest lists `README.md`, which the package does not hold"),
    (ipkg(manifest=("module.wasm",)), "no SmartModule toml in the package's manifest"),
    (ipkg(toml_name="else"), "[package] is acme/else@0.2.0, but the package is "
     "acme/catfact@0.2.0"),
    (ipkg(wasm=b"\0asm\x01\0\0\0"), "not a SmartModule"),
    (b"not a tar at all", "not a readable package (tar)"),
], ids=["tampered", "missing-file", "no-toml", "toml-mismatch", "not-a-smartmodule",
        "not-a-tar"])
def test_damaged_packages_are_refused_with_the_reason(tmp_path, package, message):
    path = tmp_path / "p.ipkg"
    path.write_bytes(package)
    result = run_weir("smartmodule", "download", str(path), "--ipkg")
    assert result.returncode == 1, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert json.loads(run_weir("smartmodule", "list", "-O", "json").stdout) == []


def test_hub_answers_and_unreachable_hub(hub):
    missing = run_weir("smartmodule", "download", "acme/nothing@1.0.0", env=hub)
    assert missing.returncode == 1
    assert missing.stderr.startswith("error: the Hub has no package acme/nothing@1.0.0")
    liar = run_weir("smartmodule", "download", "acme/liar@1.0.0", env=hub)
    assert liar.returncode == 1 and "[package] is acme/other@1.0.0" in liar.stderr
    bad_name = run_weir("smartmodule", "download", "jolt")
    assert bad_name.returncode == 1 and "GROUP/NAME@VERSION" in bad_name.stderr
    closed = run_weir("smartmodule", "download", "acme/catfact@0.2.0",
                      env={"INFINYON_HUB_REMOTE": "http://127.0.0.1:9"})
    assert closed.returncode == 2
    first, *rest = closed.stderr.splitlines()
    assert first.startswith("error: cannot reach the Hub at http://127.0.0.1:9: ")
    assert [line for line in rest if not line.startswith("  hint:")] == []


def test_validate_notes_modules_not_registered_with_the_command_to_get_them(tmp_path, hub):
    config = tmp_path / "c.yaml"
    text = (REPO / "examples" / "connectors" / "cat-facts.yaml").read_text()
    config.write_text(text.replace("uses: catfact-map", "uses: acme/catfact@0.2.0"))
    before = json.loads(run_weir("validate", "--json", str(config)).stdout)
    (note,) = before["files"][0]["diagnostics"]
    assert (note["severity"], note["code"]) == ("info", "smartmodule-not-registered")
    assert "`weir smartmodule download acme/catfact@0.2.0`" in note["hint"]
    assert before["files"][0]["valid"] is True
    assert run_weir("smartmodule", "download", "acme/catfact@0.2.0", env=hub).returncode == 0
    after = json.loads(run_weir("validate", "--json", str(config)).stdout)
    assert after["files"][0]["diagnostics"] == []
    local = Path(tmp_path / "local.yaml")
    local.write_text(text)
    human = run_weir("validate", str(local)).stdout
    assert "info[smartmodule-not-registered]: SmartModule `catfact-map` is not registered" in human
    assert "`weir smartmodule build CRATE --register catfact-map`" in human
