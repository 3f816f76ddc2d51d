"""runtime.launch.control over real connectors: a background local process and a managed
one in the local cluster (started by the call that needs it), every action by name."""

from __future__ import annotations

import os
import signal

import pytest

from runtime.config.load import ConfigInvalid
from runtime.errors import EnvironmentProblem, NotFound, WeirError
from runtime.launch import control
from runtime.launch.describe import describe_text
from runtime.launch.processes import pid_alive
from runtime.launch.state import read_state
from tests.launch.conftest import wait_for
from tests.launch.helpers import generator_config, topic_values, write


def listed(name: str) -> dict | None:
    return next((v for v in control.list_connectors().connectors if v["name"] == name), None)


def test_a_local_process_from_start_to_delete(tmp_path, weir_home):
    config = write(tmp_path / "bg.yaml", generator_config("bg", "bg-topic", rate=20))
    started = control.start_new(config, "process")
    assert (started.name, started.mode) == ("bg", "process")
    assert started.message.startswith("connector `bg` running as process ")

    listing = control.list_connectors()
    assert listing.cluster == "stopped"  # a process needs no cluster
    row = listed("bg")
    assert row is not None and row["status"] == "Running" and pid_alive(row["pid"])
    assert row["config"] == str(config.resolve())
    wait_for(lambda: len(topic_values("bg-topic")) >= 3, message="records from `bg`")

    view = control.describe("bg")
    text = describe_text(view)
    assert text.startswith("---\n") and "name: bg" in text
    assert f"# status: Running (process, profile local, pid {row['pid']})" in text
    assert "bg" in "".join(control.log_lines("bg"))

    # Its own process group: it outlives the caller, and a second run of it is refused.
    assert os.getpgid(row["pid"]) != os.getpgid(0)
    with pytest.raises(WeirError, match="stopped as soon as it started.*already running"):
        control.start_new(config, "process")

    # Killed hard, it stays listed as Exited: only the workbench may run it again.
    os.kill(row["pid"], signal.SIGKILL)
    wait_for(lambda: listed("bg")["status"] == "Exited", message="Exited")
    with pytest.raises(WeirError, match="cannot be started here") as refused:
        control.check_startable(["bg"])
    assert "weir connector run" in refused.value.hint
    again = control.start("bg", background=True)
    assert again.message.startswith("connector `bg` started (process ")
    first = listed("bg")
    assert first["status"] == "Running" and first["pid"] != row["pid"]
    assert not control.start("bg", background=True).changed  # already running

    restarted = control.restart("bg", background=True)
    assert restarted.changed and listed("bg")["pid"] != first["pid"]

    count = len(topic_values("bg-topic"))
    stopped = control.stop("bg")
    assert stopped.message == "connector `bg` stopped" and stopped.changed
    assert listed("bg") is None  # its process.json went with it
    assert len(topic_values("bg-topic")) >= count
    with pytest.raises(NotFound, match="connector `bg` not found"):
        control.stop("bg")


def test_starting_refuses_bad_input_without_leaving_anything(tmp_path, weir_home):
    with pytest.raises(EnvironmentProblem, match="not found"):
        control.start_new(tmp_path / "absent.yaml", "process")
    broken = write(tmp_path / "broken.yaml", "apiVersion: 0.1.0\nmeta:\n  name: broken\n")
    with pytest.raises(ConfigInvalid):
        control.start_new(broken, "process")
    good = write(tmp_path / "good.yaml", generator_config("good", "good-topic"))
    with pytest.raises(WeirError, match="unknown mode `vm`"):
        control.start_new(good, "vm")  # type: ignore[arg-type]
    with pytest.raises(WeirError):
        control.start_new(good, "process", name="no/slashes")
    assert control.list_connectors().connectors == []


@pytest.mark.integration
def test_a_managed_connector_from_start_to_delete(tmp_path, weir_home):
    config = write(tmp_path / "ticker.yaml", generator_config("ticker", "ticks"))
    created = control.start_new(config, "managed")
    assert created.cluster_started and read_state(weir_home) is not None
    assert created.message.startswith("connector `ticker` created (")
    assert control.list_connectors().cluster == "running"
    wait_for(lambda: (v := listed("ticker")) and v["status"] == "Running",
             message="managed connector running")
    wait_for(lambda: len(topic_values("ticks")) >= 3, message="records in `ticks`")

    assert "# status: Running (managed, profile local" in describe_text(
        control.describe("ticker"))
    assert any("supervisor: started pid" in line for line in control.log_lines("ticker"))

    assert control.stop("ticker").message == "connector `ticker` stopped"
    assert listed("ticker")["status"] == "Stopped"
    assert control.check_startable(["ticker"])[0].mode == "managed"
    started = control.start("ticker")
    assert started.message == "connector `ticker` started (Running)"
    assert started.cluster_started is None  # it was running already
    restarted = control.restart("ticker")
    assert restarted.message.startswith("connector `ticker` restarted (")

    # With the cluster down: listed as last recorded, stopped and started again by name.
    from runtime.launch.cluster import stop_cluster

    stop_cluster()
    listing = control.list_connectors()
    assert listing.cluster == "stopped"
    assert [v["name"] for v in listing.connectors] == ["ticker"]
    control.stop("ticker")  # recorded, so the next cluster start leaves it stopped
    back = control.start("ticker")
    assert back.cluster_started and back.message == "connector `ticker` started (Running)"

    assert control.delete("ticker").message == "connector `ticker` deleted"
    assert listed("ticker") is None
