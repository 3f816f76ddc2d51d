"""What `weir connector run --docker` says when it cannot do what was asked."""

from __future__ import annotations

import pytest

from tests.conftest import run_weir
from tests.docker.helpers import generator_config


@pytest.mark.integration
def test_a_missing_base_image_is_explained(tmp_path, docker_engine):
    config = generator_config(tmp_path, "nobase", "nobase")
    result = run_weir("connector", "run", str(config), "--docker", "-d",
                      "--base-image", "weir-test-absent:nothing")
    assert result.returncode == 2
    assert "weir-test-absent:nothing" in result.stderr
    assert "cannot be pulled offline" in result.stderr
    assert "debootstrap" in result.stderr and "docker import" in result.stderr
    # the workbench's way to the same place is named too
    assert "docker_base_image" in result.stderr
    assert "Traceback" not in result.stderr


def test_an_unreachable_daemon_is_explained(tmp_path):
    config = generator_config(tmp_path, "nodaemon", "nodaemon")
    result = run_weir("connector", "run", str(config), "--docker", "-d",
                      env={"DOCKER_HOST": f"unix://{tmp_path}/no-docker.sock"})
    assert result.returncode == 2
    assert "cannot reach the Docker daemon" in result.stderr
    assert "hint:" in result.stderr and "dockerd" in result.stderr
    assert "Traceback" not in result.stderr


def test_docker_flags_need_docker():
    result = run_weir("connector", "run", "nothing.yaml", "-d")
    assert result.returncode == 2
    assert "only applies with --docker" in result.stderr
    assert "Traceback" not in result.stderr
