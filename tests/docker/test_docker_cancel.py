"""Ctrl-C while `weir connector run --docker` builds its image: the build is cancelled,
the command says so and exits 1, and neither a container nor a tagged image is left."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from tests.conftest import REPO
from tests.docker.helpers import (
    BUILD_TIMEOUT,
    connector_image_tags,
    containers_of,
    generator_config,
    until_clean,
)


@pytest.mark.integration
def test_ctrl_c_during_the_image_build_cancels_it(tmp_path, docker_engine, fresh_base,
                                                  weir_home, cleanup, shared_wheelhouse):
    base_tag, base_id = fresh_base
    config = generator_config(tmp_path, "built-never", "built-never")
    cleanup.append("built-never")
    tags_before = connector_image_tags(docker_engine)
    err_path = tmp_path / "stderr.txt"
    with err_path.open("w") as err:
        proc = subprocess.Popen(
            [sys.executable, "-m", "tui.cli.main", "connector", "run", str(config),
             "--docker", "-d", "--base-image", base_tag],
            stdout=subprocess.PIPE, stderr=err, text=True, cwd=REPO, env=dict(os.environ))
    try:
        deadline = time.monotonic() + BUILD_TIMEOUT
        while "RUN " not in err_path.read_text():  # the step installing the wheels
            assert proc.poll() is None, err_path.read_text()
            assert time.monotonic() < deadline, err_path.read_text()
            time.sleep(0.2)
        proc.send_signal(signal.SIGINT)
        out, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    stderr = err_path.read_text()
    assert proc.returncode == 1, stderr
    assert "image step 3/" in stderr  # the steps were printed as they came
    assert "cancelling the start" in stderr and "cancelled by the user" in stderr
    assert "Traceback" not in stderr and out == ""
    assert containers_of(docker_engine, "built-never", weir_home) == []
    until_clean(docker_engine, base_tag, base_id)
    assert tags_before <= connector_image_tags(docker_engine)


@pytest.mark.integration
def test_a_cancel_during_a_silent_build_step_stops_it_there(tmp_path, docker_engine,
                                                            fresh_base):
    """A step that prints nothing for minutes: the cancel does not wait for its end."""
    import threading

    from runtime.launch.image import _stream_build
    from runtime.launch.progress import Cancelled, Progress

    base_tag, base_id = fresh_base
    (tmp_path / "Dockerfile").write_text(f"FROM {base_tag}\nRUN sleep 600\n")
    cancel = threading.Event()

    def on_step(step) -> None:
        if "RUN sleep" in step.text:  # the silent step began: cancel a moment later
            threading.Timer(1.0, cancel.set).start()

    started = time.monotonic()
    with pytest.raises(Cancelled):
        _stream_build(docker_engine, Progress(on_step, cancel), 1, path=str(tmp_path))
    assert time.monotonic() - started < 300  # well before the step could have ended
    until_clean(docker_engine, base_tag, base_id)
