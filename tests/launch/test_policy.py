"""The restart policy: exponential backoff, its cap, and overrides from the environment."""

from __future__ import annotations

import pytest

from runtime.errors import EnvironmentProblem
from runtime.launch.policy import RestartPolicy
from tests.conftest import run_weir


def test_backoff_doubles_up_to_the_cap():
    policy = RestartPolicy(initial_backoff_s=0.5, max_backoff_s=30.0)
    assert [policy.backoff(n) for n in range(1, 9)] == [0.5, 1, 2, 4, 8, 16, 30, 30]
    assert policy.backoff(10_000) == 30.0


def test_environment_overrides(monkeypatch):
    monkeypatch.setenv("WEIR_RESTART_BACKOFF", "250ms")
    monkeypatch.setenv("WEIR_RESTART_MAX_BACKOFF", "1m")
    monkeypatch.setenv("WEIR_RESTART_FAST_RUN", "2s")
    monkeypatch.setenv("WEIR_RESTART_MAX_FAST", "7")
    monkeypatch.setenv("WEIR_STOP_TIMEOUT", "3")
    assert RestartPolicy.from_env() == RestartPolicy(0.25, 60.0, 2.0, 7, 3.0)


@pytest.mark.parametrize("variable,value", [("WEIR_RESTART_BACKOFF", "soon"),
                                            ("WEIR_RESTART_MAX_FAST", "many")])
def test_bad_overrides_are_refused(monkeypatch, variable, value):
    monkeypatch.setenv(variable, value)
    with pytest.raises(EnvironmentProblem, match=variable):
        RestartPolicy.from_env()


def test_a_bad_override_stops_cluster_start_clearly(monkeypatch, weir_home):
    monkeypatch.setenv("WEIR_RESTART_BACKOFF", "soon")
    result = run_weir("cluster", "start")
    assert result.returncode == 2
    assert "WEIR_RESTART_BACKOFF='soon' is not a duration" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (weir_home / "cluster" / "state.json").exists()


def test_the_daemon_reports_a_bad_override_in_one_line(monkeypatch, weir_home):
    import subprocess
    import sys

    monkeypatch.setenv("WEIR_RESTART_MAX_FAST", "many")
    result = subprocess.run([sys.executable, "-m", "runtime.launch.daemon"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert result.stderr.strip().startswith("error: WEIR_RESTART_MAX_FAST='many'")
    assert "Traceback" not in result.stderr
