"""Starting a connector in Docker from the Connectors area, with the real engine and the
offline base image: its records arrive, it stops; and a start cancelled while its image
builds leaves neither a container nor an image behind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.docker.helpers import BUILD_TIMEOUT, connector_image_tags, containers_of, until_clean
from tests.tui.conftest import SIZE, answer_prompt, make_app, ready, wait_for
from tui.components.common.modals import ChoiceScreen, ConfirmScreen
from tui.components.connectors.launch_view import LaunchProgress
from tui.components.connectors.pane import ConnectorsPane
from tui.components.topics.tail_view import TailView
from tui.settings import TuiSettings

pytestmark = pytest.mark.integration


def generator(directory: Path, name: str, topic: str) -> Path:
    path = directory / f"{name}.yaml"
    path.write_text(f"""\
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: {name}
  type: generator-source
  topic: {topic}
  producer:
    linger: 10ms
generator:
  template: '{{"n": {{{{n}}}}, "kind": "docker"}}'
  rate: 20
""")
    return path


def _failed(app) -> list[str]:
    """Error notifications so far (a failed start says why in one)."""
    return [n.message for n in app._notifications if n.severity == "error"]


async def _choose(pilot, choice: str) -> None:
    app = pilot.app
    await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
    app.screen.dismiss(choice)
    await wait_for(pilot, lambda: not isinstance(app.screen, ChoiceScreen))


async def test_start_a_generator_in_docker_see_its_records_then_stop_it(
        tmp_path, base_image, docker_engine, weir_home, cleanup, shared_wheelhouse):
    config = generator(tmp_path, "tui-docker", "tui-docker-events")
    cleanup.append("tui-docker")
    app = make_app(start_area="connectors",
                   settings=TuiSettings(docker_base_image=base_image))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        connectors = app.query_one(ConnectorsPane)
        await pilot.press("a")  # run a config file...
        await answer_prompt(pilot, str(config))
        await _choose(pilot, "docker")  # ...in a container
        await wait_for(pilot, lambda: (row := connectors.rows.get("tui-docker")) is not None
                       and row.running or _failed(app), timeout=BUILD_TIMEOUT)
        assert not _failed(app), _failed(app)
        row = connectors.rows["tui-docker"]
        assert (row.mode, row.type, row.topic) == ("docker", "generator-source",
                                                   "tui-docker-events")
        await wait_for(pilot, lambda: not app.query_one(LaunchProgress).active)
        [container] = containers_of(docker_engine, "tui-docker", weir_home)
        assert container.status == "running"

        # Its counters come from the telemetry the container writes on the host.
        await wait_for(pilot, lambda: connectors.rows["tui-docker"].records > 0, timeout=60)
        await pilot.press("t")  # its records, written from inside the container
        tail = app.query_one(TailView)
        await wait_for(pilot, lambda: tail.total >= 3 or _failed(app), timeout=60)
        assert not _failed(app), _failed(app)
        values = [json.loads(r.value) for r in tail.visible_records()]
        assert all(v["kind"] == "docker" for v in values)

        await pilot.press("f2")
        await wait_for(pilot, lambda: app.area == "connectors")
        await pilot.press("x")  # stop it: SIGTERM, flush, exit 0
        await wait_for(pilot, lambda: not connectors.rows["tui-docker"].running, timeout=60)
        container.reload()
        assert container.status == "exited" and container.attrs["State"]["ExitCode"] == 0
        received = tail.total
        await pilot.pause(1.0)
        assert tail.total == received

        await pilot.press("d")  # delete it, after confirming
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: "tui-docker" not in connectors.rows, timeout=60)
        assert containers_of(docker_engine, "tui-docker", weir_home) == []


async def test_esc_cancels_a_docker_start_while_its_image_builds(
        tmp_path, docker_engine, fresh_base, weir_home, cleanup, shared_wheelhouse):
    base_tag, base_id = fresh_base
    config = generator(tmp_path, "tui-cancel", "tui-cancel-events")
    cleanup.append("tui-cancel")
    tags_before = connector_image_tags(docker_engine)
    app = make_app(start_area="connectors", settings=TuiSettings(docker_base_image=base_tag))
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        connectors = app.query_one(ConnectorsPane)
        launch = app.query_one(LaunchProgress)
        await pilot.press("a")
        await answer_prompt(pilot, str(config))
        await _choose(pilot, "docker")
        # The build's RUN step installs the wheels in a container (for tens of seconds):
        # cancel as soon as it begins, so the cancel lands inside it even on a busy machine.
        await wait_for(pilot, lambda: launch.step is not None
                       and launch.step.text.startswith("image step 3/"),
                       timeout=BUILD_TIMEOUT)
        assert launch.step.fraction is not None and 0 < launch.step.fraction < 1
        await pilot.press("escape")
        await wait_for(pilot, lambda: not launch.active, timeout=120)
        status = app.query_one("#status")
        await wait_for(pilot, lambda: str(status.note) == "Start (docker) cancelled")
        await pilot.pause(2.0)
        assert "tui-cancel" not in connectors.rows
    assert containers_of(docker_engine, "tui-cancel", weir_home) == []
    until_clean(docker_engine, base_tag, base_id)
    # The same wheels built on another base earlier carry the same tag: it stays.
    assert tags_before <= connector_image_tags(docker_engine)
