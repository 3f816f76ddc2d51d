"""`weir connector run FILE --docker [-d] [--name N] [--base-image IMG]`: the Docker half
of `connector run`. The run command stacks `docker_options` and hands over to
`run_in_docker` when --docker is given; everything Docker lives in runtime.launch.docker.
"""

from __future__ import annotations

import signal
import sys
import threading
from contextlib import contextmanager
from pathlib import Path

import click

from runtime.launch.image import DEFAULT_BASE_IMAGE
from tui.cli.output import info


def docker_options(func):
    """The Docker flags of `connector run` (all but --name mean nothing without --docker)."""
    func = click.option(
        "--base-image", metavar="IMG", default=None,
        help=f"With --docker: the base image to build the connector image on (default "
        f"{DEFAULT_BASE_IMAGE}); it needs python3 3.11+ with venv and is never pulled.",
    )(func)
    func = click.option(
        "-d", "--detach", is_flag=True,
        help="With --docker: start the container and return; see `weir connector logs`.",
    )(func)
    func = click.option(
        "--docker", is_flag=True,
        help="Run in a Docker container (image built once from --base-image, cached).",
    )(func)
    return func


def check_docker_flags(docker: bool, detach: bool, base_image: str | None) -> None:
    if not docker and (detach or base_image):
        flag = "-d/--detach" if detach else "--base-image"
        raise click.UsageError(f"{flag} only applies with --docker")


def run_in_docker(config: Path, *, spec=None, secrets: Path | None = None,
                  name: str | None = None, base_image: str | None = None,
                  detach: bool = False) -> int:
    """Validate the config on the host (unless `spec` is its already loaded ConnectorSpec),
    start its container, then either return (detach) or stream its output until it ends
    or Ctrl-C stops it. Returns the exit code."""
    from runtime.config.load import load_connector
    from runtime.config.names import validate_name
    from runtime.launch import docker as launch
    from runtime.launch.docker_client import docker_client
    from runtime.launch.progress import Progress

    config = config.resolve()
    if spec is None:
        spec = load_connector(config, secrets_file=secrets)
    if name:
        validate_name("connector", name)  # it becomes a container and a directory name
    name = name or spec.name
    client = docker_client()
    with _ctrl_c_cancels() as cancel:
        started = launch.start_container(
            config, name=name, spec=spec, secrets=secrets.resolve() if secrets else None,
            base_image=base_image or DEFAULT_BASE_IMAGE, client=client,
            progress=Progress(lambda step: None if step.detail else info(step.text), cancel),
        )
    if detach:
        click.echo(started.container)
        info(f"connector `{name}` started in Docker container {started.container} "
             f"({started.id}, image {started.image})")
        info(f"  follow it: weir connector logs {name} -f;  stop it: weir connector stop {name}")
        return 0
    info(f"connector `{name}` running in Docker container {started.container}; "
         "Ctrl-C stops it")
    return _foreground(launch, client, name)


@contextmanager
def _ctrl_c_cancels():
    """While the image builds, Ctrl-C cancels it cleanly (no tagged image, no container);
    a second Ctrl-C interrupts at once."""
    cancel = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield cancel
        return

    def interrupt(signum, frame) -> None:
        if cancel.is_set():
            raise KeyboardInterrupt
        cancel.set()
        info("cancelling the start (Ctrl-C again to quit at once)")

    previous = signal.signal(signal.SIGINT, interrupt)
    try:
        yield cancel
    finally:
        signal.signal(signal.SIGINT, previous)


def _foreground(launch, client, name: str) -> int:
    """Stream until the container ends; Ctrl-C (or SIGTERM to weir) stops it gracefully,
    a second Ctrl-C kills it. The container is removed afterwards, like `docker run --rm`."""
    previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        try:
            for stream, chunk in launch.attach_output(name, client=client):
                target = sys.stdout if stream == "stdout" else sys.stderr
                target.buffer.write(chunk)
                target.flush()
        except KeyboardInterrupt:
            info(f"stopping `{name}` (Ctrl-C again to kill it)")
            try:
                launch.stop_container(name, client=client)
            except KeyboardInterrupt:
                launch.stop_container(name, timeout=0, client=client)
        code = launch.wait_container(name, client=client)
    finally:
        signal.signal(signal.SIGTERM, previous)
        launch.remove_container(name, client=client, purge=False)
    info(f"connector `{name}` exited with code {code}")
    return code


def _raise_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt
