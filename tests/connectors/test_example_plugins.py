"""The example plugins under examples/connectors/plugins: their own tests pass, their
sample configs validate once they are installed (here: their entry points on the path)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.conftest import REPO, run_weir
from tests.connectors import plugin_dist

PLUGINS = REPO / "examples" / "connectors" / "plugins"
EXAMPLES = {
    "file-source": ("weir-file-source", "file-source", "weir_file_source:FileSource"),
    "signed-webhook-sink": ("weir-signed-webhook-sink", "signed-webhook-sink",
                            "weir_signed_webhook:SignedWebhookSink"),
}


@pytest.fixture(params=sorted(EXAMPLES))
def plugin(request, tmp_path):
    dist, type_name, target = EXAMPLES[request.param]
    site = plugin_dist.install(tmp_path / "site", dist, {}, {type_name: target})
    path = PLUGINS / request.param
    return path, {**os.environ, **plugin_dist.env_with(site, path)}


def test_its_own_tests_pass(plugin):
    path, env = plugin
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests"], cwd=path, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_its_sample_config_validates(plugin):
    path, env = plugin
    env = {**env, "WEBHOOK_SECRET": "s3cret-value"}
    r = run_weir("validate", str(path / "connector.yaml"), env=env)
    assert r.returncode == 0 and "(0 errors, 0 warnings)" in r.stdout, r.stdout


def test_its_pyproject_declares_the_entry_point(plugin):
    import tomllib

    path, _ = plugin
    _, type_name, target = EXAMPLES[path.name]
    project = tomllib.loads((path / "pyproject.toml").read_text())["project"]
    assert project["entry-points"]["weir.connectors"] == {type_name: target}
