"""`weir cluster start` flags for the Fluvio endpoint, and how status reports it."""

from __future__ import annotations

import json
import socket
import tomllib

import pytest

from tests.conftest import run_weir
from tests.weir_cluster import stop_cluster


@pytest.fixture
def env(weir_home, tmp_path):
    env = {"WEIR_HOME": str(weir_home), "HOME": str(tmp_path)}
    yield env
    stop_cluster(weir_home, env)


def status(env) -> dict:
    return json.loads(run_weir("cluster", "status", "-O", "json", env=env).stdout)


def test_default_ports_are_fluvios_or_the_next_free_ones(env):
    with socket.socket() as taken:
        lowest = 9004
        try:
            taken.bind(("127.0.0.1", 9003))
            taken.listen()
        except OSError:  # another cluster holds it, perhaps not for long
            lowest = 9003
        started = run_weir("cluster", "start", env=env)
        assert started.returncode == 0, started.stderr
    fluvio = status(env)["fluvio"]
    sc_port = int(fluvio["sc"].rsplit(":", 1)[1])
    spu_port = int(fluvio["spu"].rsplit(":", 1)[1])
    assert fluvio["sc"].startswith("127.0.0.1:") and lowest <= sc_port < 9103
    assert 9005 <= spu_port < 9105 and spu_port != sc_port
    assert f"fluvio: SC {fluvio['sc']}" in started.stderr
    text = run_weir("cluster", "status", env=env).stdout
    assert f"fluvio: SC {fluvio['sc']}, SPU {fluvio['spu']}" in text


def test_no_fluvio(env):
    assert run_weir("cluster", "start", "--no-fluvio", env=env).returncode == 0
    assert status(env)["fluvio"] is None
    assert "fluvio: off" in run_weir("cluster", "status", env=env).stdout


def test_a_taken_port_is_a_clear_error_at_once(env):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_weir("cluster", "start", "--fluvio-sc", f"127.0.0.1:{port}", env=env,
                          timeout=20)
    assert result.returncode == 2
    assert f"cannot listen on 127.0.0.1:{port} for Fluvio's SC: the port is taken" \
        in result.stderr
    assert status(env)["running"] is False


def test_a_bad_address_is_a_usage_error(env):
    result = run_weir("cluster", "start", "--fluvio-spu", "localhost", env=env)
    assert result.returncode == 2
    assert "--fluvio-spu `localhost` is not HOST:PORT" in result.stderr
    both = run_weir("cluster", "start", "--no-fluvio", "--fluvio-sc", "127.0.0.1:0", env=env)
    assert both.returncode == 2 and "cannot be combined" in both.stderr


def test_an_existing_weir_profile_follows_the_sc_to_its_new_port(env, tmp_path):
    config = tmp_path / "fluvio-config"
    env["FLV_PROFILE_PATH"] = str(config)
    assert run_weir("cluster", "start", "--fluvio-sc", "127.0.0.1:0", env=env).returncode == 0
    assert run_weir("cluster", "fluvio-profile", env=env).returncode == 0
    first = status(env)["fluvio"]["sc"]
    assert run_weir("cluster", "stop", env=env).returncode == 0
    with socket.socket() as taken:  # the old port is busy: the SC gets another one
        taken.bind(("127.0.0.1", int(first.rsplit(":", 1)[1])))
        taken.listen()
        assert run_weir("cluster", "start", "--fluvio-sc", "127.0.0.1:0",
                        env=env).returncode == 0
    second = status(env)["fluvio"]["sc"]
    assert second != first
    assert tomllib.loads(config.read_text())["cluster"]["weir"]["endpoint"] == second


def test_no_weir_profile_is_created_by_a_start(env, tmp_path):
    config = tmp_path / "fluvio-config"
    config.write_text('version = "2.0"\n')
    env["FLV_PROFILE_PATH"] = str(config)
    assert run_weir("cluster", "start", "--fluvio-sc", "127.0.0.1:0", env=env).returncode == 0
    assert config.read_text() == 'version = "2.0"\n'


def test_an_active_fluvio_profile_serves_the_local_store(env):
    assert run_weir("profile", "add", "remote", "--fluvio", "127.0.0.1:1",
                    env=env).returncode == 0
    assert run_weir("profile", "switch", "remote", env=env).returncode == 0
    started = run_weir("cluster", "start", "--fluvio-sc", "127.0.0.1:0", env=env)
    assert started.returncode == 0, started.stderr
    assert "(serving profile `local`)" in started.stderr
