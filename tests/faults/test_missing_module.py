"""Item 11: `connector create` refuses a config whose `uses:` cannot be loaded (a name
not registered, a .wasm path that does not exist or is not a module), with the place in
the file, instead of reporting it Running and letting it crash-loop to Failed."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from runtime.launch.state import read_state
from tests.conftest import REPO, run_weir

CONFIG = """\
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: {name}
  type: generator-source
  topic: {name}
generator:
  interval: 1s
transforms:
  - uses: {uses}
    with:
      contains: "1"
"""

PREBUILT = REPO / "examples/smartmodules/prebuilt/contains_filter.wasm"


def _config(tmp_path: Path, uses: str, name: str = "mods") -> Path:
    path = tmp_path / "connector.yaml"
    path.write_text(CONFIG.format(name=name, uses=uses))
    return path


def test_a_module_name_that_is_not_registered_is_refused(tmp_path, weir_home):
    result = run_weir("connector", "create", "--config", str(_config(tmp_path, "acme/nope@0.1.0")))
    assert result.returncode == 1, result
    assert f"{tmp_path / 'connector.yaml'}:10:11: error[smartmodule-not-found]: " \
           "SmartModule `acme/nope@0.1.0` not found" in result.stderr
    assert "weir smartmodule create acme/nope@0.1.0" in result.stderr
    assert "was not created" in result.stderr
    assert "Traceback" not in result.stderr
    assert read_state(weir_home) is None  # refused before the cluster was started


def test_a_wasm_path_that_does_not_exist_is_refused(tmp_path, weir_home):
    result = run_weir("connector", "create", "--config", str(_config(tmp_path, "./gone.wasm")))
    assert result.returncode == 1, result
    assert f"{tmp_path / 'gone.wasm'}: no such file" in result.stderr
    assert "error[smartmodule-not-found]" in result.stderr


def test_a_file_that_is_not_a_module_is_refused(tmp_path, weir_home):
    (tmp_path / "fake.wasm").write_text("not wasm")
    result = run_weir("connector", "create", "--config", str(_config(tmp_path, "fake.wasm")))
    assert result.returncode == 1, result
    assert "not a WebAssembly module" in result.stderr


def test_relative_paths_resolve_from_the_config_directory(tmp_path, weir_home):
    """The supervisor runs the connector in the config's directory, so the check does too,
    whatever directory `create` was typed in."""
    shutil.copy(PREBUILT, tmp_path / "contains.wasm")
    config = _config(tmp_path, "./contains.wasm", name="relative")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = run_weir("connector", "create", "--config", str(config), cwd=elsewhere)
    assert result.returncode == 0, result.stderr
    listing = json.loads(run_weir("connector", "list", "-O", "json").stdout)
    assert [c["status"] for c in listing if c["name"] == "relative"] == ["Running"]


def test_a_registered_module_is_accepted(tmp_path, weir_home):
    created = run_weir("smartmodule", "create", "acme/contains@0.1.0", "--wasm-file",
                       str(PREBUILT))
    assert created.returncode == 0, created.stderr
    result = run_weir("connector", "create", "--config",
                      str(_config(tmp_path, "acme/contains@0.1.0", name="registered")))
    assert result.returncode == 0, result.stderr
    assert "created (Running" in result.stderr
