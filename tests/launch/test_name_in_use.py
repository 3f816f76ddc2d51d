"""`weir connector run` refuses a name a managed connector already has (running or not):
both would write the same telemetry files and list/stop/delete could not tell them apart."""

from __future__ import annotations

import pytest

from tests.conftest import run_weir
from tests.launch.conftest import wait_for
from tests.launch.helpers import generator_config, topic_values, view, write


@pytest.mark.integration
def test_connector_run_refuses_a_managed_connectors_name(tmp_path):
    managed = write(tmp_path / "ticker.yaml", generator_config("ticker", "ticks"))
    assert run_weir("connector", "create", "--config", str(managed)).returncode == 0
    wait_for(lambda: (v := view("ticker")) and v["status"] == "Running", message="running")
    other = write(tmp_path / "other.yaml",
                  generator_config("other", "other-ticks") + "  count: 3\n")

    for args in ([str(managed)], [str(other), "--name", "ticker"]):
        refused = run_weir("connector", "run", *args, timeout=30)
        assert refused.returncode == 1, refused.stderr
        assert ("connector name `ticker` is already used by a managed connector of the local "
                "cluster (Running, profile `local`, topic `ticks`)") in refused.stderr
        assert "weir connector delete ticker" in refused.stderr
        assert "Traceback" not in refused.stderr
    assert topic_values("other-ticks") == []  # the refused run produced nothing

    assert run_weir("cluster", "stop").returncode == 0
    stopped = run_weir("connector", "run", str(managed), timeout=30)
    assert stopped.returncode == 1 and "(Stopped, profile `local`" in stopped.stderr

    assert run_weir("connector", "delete", "ticker").returncode == 0
    ran = run_weir("connector", "run", str(other), "--name", "ticker", timeout=60)
    assert ran.returncode == 0, ran.stderr
    assert len(topic_values("other-ticks")) == 3


@pytest.mark.integration
def test_the_workbench_refuses_a_managed_connectors_name_for_a_process(tmp_path):
    """The Connectors area starts processes through runtime.launch.control: same rule."""
    from runtime.errors import WeirError
    from runtime.launch import control

    managed = write(tmp_path / "ticker.yaml", generator_config("ticker", "ticks"))
    control.start_new(managed, "managed")
    with pytest.raises(WeirError, match="already used by a managed connector") as refused:
        control.start_new(managed, "process")
    assert "weir connector delete ticker" in refused.value.hint
    assert [v["mode"] for v in control.list_connectors().connectors] == ["managed"]
