"""A connection to the Docker engine, or one clear message saying why there is none.

`docker` (docker-py) is imported here and only here, lazily, so headless commands that
never touch Docker don't pay for it.
"""

from __future__ import annotations

import os
import shutil
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from runtime.errors import EnvironmentProblem

if TYPE_CHECKING:
    from docker import DockerClient

DEFAULT_SOCKET = "/var/run/docker.sock"
START_HINT = (
    "start it with `sudo systemctl start docker` (or `sudo dockerd &` where there is no "
    "systemd), or point DOCKER_HOST at a running engine"
)


def docker_client(timeout: int = 120) -> DockerClient:
    """Connect to the engine named by DOCKER_HOST (default: the local socket) and ping it."""
    try:
        import docker
        from docker.errors import DockerException
    except ImportError as exc:  # pragma: no cover - docker is a pinned dependency
        raise EnvironmentProblem(
            "the `docker` Python package is missing", hint="reinstall weir: pip install weir"
        ) from exc
    try:
        client = docker.from_env(timeout=timeout)
        client.ping()
    except DockerException as exc:
        raise unreachable(exc) from exc
    except OSError as exc:
        raise unreachable(exc) from exc
    return client


def unreachable(exc: BaseException) -> EnvironmentProblem:
    """Say which of: not installed, not running, no permission, or otherwise unreachable."""
    host = os.environ.get("DOCKER_HOST") or f"unix://{DEFAULT_SOCKET}"
    parsed = urlparse(host)
    if parsed.scheme in ("unix", "") and not os.environ.get("DOCKER_HOST"):
        sock = parsed.path or DEFAULT_SOCKET
        if not os.path.exists(sock):
            if not (shutil.which("dockerd") or shutil.which("docker")):
                return EnvironmentProblem(
                    "Docker is not installed (no `dockerd` or `docker` on PATH, no "
                    f"socket at {sock})",
                    hint="install Docker Engine (Debian: `sudo apt-get install docker.io`), "
                    "then start it; or run the connector without --docker",
                )
            return EnvironmentProblem(
                f"the Docker daemon is not running (no socket at {sock})", hint=START_HINT
            )
    if parsed.scheme == "unix" and os.path.exists(parsed.path):
        if not os.access(parsed.path, os.R_OK | os.W_OK):
            return EnvironmentProblem(
                f"permission denied on the Docker socket {parsed.path}",
                hint="add yourself to the `docker` group (`sudo usermod -aG docker $USER`, "
                "then log in again) or run as root",
            )
    reason = _short_reason(exc)
    return EnvironmentProblem(
        f"cannot reach the Docker daemon at {host}: {reason}", hint=START_HINT
    )


def _short_reason(exc: BaseException) -> str:
    """docker-py nests the socket error a few levels deep; keep the last, useful part."""
    text = str(exc).strip() or type(exc).__name__
    for marker in ("Connection refused", "No such file or directory", "Permission denied",
                   "timed out", "Name or service not known"):
        if marker in text:
            return marker
    return text.splitlines()[-1][:200]
