"""The README's config commands, run as documented (from a copy of the repo's examples)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from runtime.config.validate import validate_file
from tests.conftest import REPO

SECTION = "### Connector configs: validate, convert, new, schema"
EXPECTED_EXIT = {
    "weir config new http-source -o connect.yml": 0,
    "weir validate connect.yml examples/connectors/*.yaml": 0,
    "weir validate examples/connectors/invalid/typos.yaml": 1,
    "weir validate --json --strict connect.yml": 0,
    "weir config convert examples/connectors/cat-facts.legacy.yaml -o cat-facts.yaml": 0,
    "weir config schema > connector.schema.json": 0,
}


def _commands() -> list[str]:
    text = (REPO / "README.md").read_text()
    block = text.split(SECTION, 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    return [re.sub(r"\s+#.*$", "", line).strip() for line in block.splitlines()
            if line.startswith("weir ")]


def test_readme_config_commands_run(tmp_path: Path):
    commands = _commands()
    assert commands == list(EXPECTED_EXIT)
    shutil.copytree(REPO / "examples" / "connectors", tmp_path / "examples" / "connectors")
    bin_dir = Path(sys.executable).parent
    weir = bin_dir / "weir"
    if not weir.exists():  # not installed as a script: run the module
        weir = tmp_path / "weir"
        weir.write_text(f"#!/bin/sh\nPYTHONPATH={REPO} exec {sys.executable} -m "
                        "tui.cli.main \"$@\"\n")
        weir.chmod(0o755)
        bin_dir = tmp_path
    env = dict(os.environ, PATH=f"{bin_dir}:{os.environ['PATH']}")
    for command in commands:
        r = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == EXPECTED_EXIT[command], (command, r.stdout, r.stderr)
        assert "Traceback" not in r.stderr
    assert validate_file(tmp_path / "cat-facts.yaml").valid
    assert "# connect.yml" in (tmp_path / "cat-facts.yaml").read_text()
    schema = json.loads((tmp_path / "connector.schema.json").read_text())
    assert "meta" in schema["properties"]
