"""The Fluvio backend where no cluster runs: clear errors, not hangs or tracebacks.
(The contract suite runs against a real cluster when FLUVIO_ENDPOINT is set.)"""

from __future__ import annotations

import socket

import pytest

from runtime.errors import EnvironmentProblem
from runtime.profiles import Profile, add_profile
from runtime.topics import open_store
from runtime.topics.fluvio_backend import reachable
from tests.conftest import run_weir


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_reachable_tells_open_from_closed_ports():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        assert reachable(f"127.0.0.1:{server.getsockname()[1]}")
    assert not reachable(f"127.0.0.1:{closed_port()}")
    assert not reachable("not-an-endpoint")


def test_unreachable_cluster_is_an_environment_problem():
    pytest.importorskip("fluvio")
    profile = Profile("far", kind="fluvio", endpoint=f"127.0.0.1:{closed_port()}")
    with pytest.raises(EnvironmentProblem) as err:
        open_store(profile)
    assert "cannot reach the Fluvio cluster of profile `far`" in err.value.message
    assert "weir profile switch local" in (err.value.hint or "")


def test_cli_on_a_fluvio_profile_without_cluster_exits_2():
    pytest.importorskip("fluvio")
    add_profile(Profile("far", kind="fluvio", endpoint=f"127.0.0.1:{closed_port()}"),
                switch=True)
    result = run_weir("topic", "list")
    assert result.returncode == 2
    assert "cannot reach the Fluvio cluster" in result.stderr
    assert "Traceback" not in result.stderr
