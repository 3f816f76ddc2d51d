"""A connector plugin in Docker: the image gets the plugin's wheel, built on the host from
its source (installed editable), and installs it offline beside Weir."""

from __future__ import annotations

import json
import os
import time
import uuid

import pytest

from runtime.connectors.scaffold import generate
from tests.conftest import run_weir
from tests.connectors import plugin_dist
from tests.docker.helpers import BUILD_TIMEOUT


@pytest.mark.integration
def test_a_plugin_runs_in_docker(tmp_path, base_image, docker_engine, weir_home, cleanup,
                                 shared_wheelhouse):
    made = generate("acme-ticks", "source", tmp_path / "acme-ticks")
    # A source no earlier run has seen: its wheel cannot come from the shared wheelhouse,
    # so this run builds it and says so.
    (made.path / "README.md").write_text(f"{(made.path / 'README.md').read_text()}\n"
                                         f"<!-- {uuid.uuid4()} -->\n")
    site = plugin_dist.install(tmp_path / "site", "acme-ticks", {},
                               {"acme-ticks-source": "acme_ticks_source:AcmeTicksSource"})
    info = next(site.glob("*.dist-info"))
    (info / "direct_url.json").write_text(json.dumps(
        {"url": made.path.as_uri(), "dir_info": {"editable": True}}))
    env = plugin_dist.env_with(site, made.path)
    config = made.path / "connector.yaml"
    cleanup.append("my-acme-ticks")
    started = run_weir("connector", "run", str(config), "--docker", "-d", "--base-image",
                       base_image, env=env, timeout=BUILD_TIMEOUT)
    assert started.returncode == 0, started.stderr
    assert "connector plugin acme-ticks" in started.stderr  # its wheel was built
    container = docker_engine.containers.get(started.stdout.strip())
    image = container.image
    assert image.labels["weir.build-key"]
    for _ in range(240):
        consumed = run_weir("consume", "acme-ticks-records", "-B", "-d")
        values = [json.loads(v) for v in consumed.stdout.splitlines() if v.strip()]
        if len(values) >= 3:
            break
        time.sleep(0.5)
    assert values[:3] == [{"n": 0, "message": "hello"}, {"n": 1, "message": "hello"},
                          {"n": 2, "message": "hello"}]
    assert run_weir("connector", "delete", "my-acme-ticks").returncode == 0
    assert os.path.isdir(made.path)
