"""The connector image: weir and its connectors installed on a base image, built once.

The image is found again by a build key (weir's code, the host's pinned dependencies,
the base image's id) stored as a label, so an unchanged weir never rebuilds and never
even rebuilds its wheelhouse. Its tag, `weir-connector:<version>-<hash of the wheel set and
the base image>`, says which weir it holds.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import socket
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

from runtime.errors import EnvironmentProblem, WeirError
from runtime.launch.plugin_wheels import installed_plugins, plugin_wheel
from runtime.launch.progress import QUIET, Cancelled, Progress
from runtime.launch.wheelhouse import (
    PythonTarget,
    dependency_wheels,
    host_pins,
    weir_source,
    weir_wheel,
    wheel_set_hash,
)

if TYPE_CHECKING:
    from docker import DockerClient

DEFAULT_BASE_IMAGE = "python:3.11-slim"
IMAGE_REPOSITORY = "weir-connector"
CONTAINER_UID = 10001  # the unprivileged user the image runs as by default
VENV = "/opt/weir"
RECIPE = "1"  # bump when the Dockerfile below changes meaningfully
MIN_PYTHON = (3, 11)

PROBE = (
    "import json, platform, sys, importlib.util as u; "
    "libc = platform.libc_ver(); "
    "print(json.dumps({'version': '%d.%d' % sys.version_info[:2], "
    "'machine': platform.machine(), 'libc': libc[0], 'libc_version': libc[1], "
    "'venv': u.find_spec('venv') is not None}))"
)

OFFLINE_HINT = (
    "weir never pulls images (this machine may be offline). Where Docker Hub is reachable: "
    "`docker pull {image}`. Offline, make a base image from a Debian rootfs: "
    "`sudo debootstrap --variant=minbase --include=python3,python3-venv bookworm /tmp/rootfs "
    "&& sudo tar -C /tmp/rootfs -c . | docker import - weir-base:bookworm`, "
    "then build on it: `--base-image weir-base:bookworm` on the command line, or "
    "`docker_base_image: weir-base:bookworm` in the workbench's settings ($WEIR_HOME/tui.yaml)"
)


def ensure_image(client: DockerClient, base_image: str = DEFAULT_BASE_IMAGE,
                 progress: Progress = QUIET) -> str:
    """Return the tag of a connector image on `base_image`, building it when missing.
    A cancel (progress.cancel) stops between steps, and the image build itself within
    0.1 s, and leaves no tagged image behind."""
    progress.check()
    base = base_image_or_fail(client, base_image)
    source = weir_source()
    pins = host_pins()
    plugins = installed_plugins()  # connector plugins go into the image too
    key = hashlib.sha256(json.dumps(
        [RECIPE, source.version, source.fingerprint, sorted(pins.items()), base.id,
         [p.fingerprint for p in plugins]]
    ).encode()).hexdigest()
    found = _tagged(client, key)
    if found is not None:
        return found

    progress.step(f"checking the Python in {base_image}")
    target = probe_base(client, base_image)
    wheels = [*dependency_wheels(source, target, progress,
                                 also=[r for p in plugins for r in p.requirements],
                                 skip=[p.name for p in plugins]),
              weir_wheel(source, progress),
              *(plugin_wheel(p, progress) for p in plugins)]
    # The base is in the tag too: the same wheels on two bases are two images, and one
    # build must never take the other's tag.
    content = hashlib.sha256(f"{wheel_set_hash(wheels)} {base.id}".encode()).hexdigest()
    tag = f"{IMAGE_REPOSITORY}:{source.version}-{content[:12]}"
    labels = {
        "weir.build-key": key,
        "weir.version": source.version,
        "weir.base-image": base_image,
        "weir.python": target.version,
    }
    progress.step(f"building the connector image {tag} from {base_image} "
                  "(once; it is cached)")
    # FROM the exact image the build key names, even if its tag moves meanwhile.
    try:
        _build(client, base.id, wheels, tag, labels, progress,
               extras=(*source.extras, *(p.pin for p in plugins)))
    except Cancelled:
        _untag(client, tag, key)
        raise
    return tag


def _tagged(client: DockerClient, key: str) -> str | None:
    for image in client.images.list(filters={"label": f"weir.build-key={key}"}):
        for tag in image.tags:
            if tag.startswith(IMAGE_REPOSITORY + ":"):
                return tag
    return None


def _untag(client: DockerClient, tag: str, key: str) -> None:
    """A build cancelled at its very end may still tag its image as the engine winds
    down: remove that tag (watching for a moment in case it comes late), never the same
    tag on an image built earlier from another base."""
    from docker.errors import APIError, ImageNotFound

    for _ in range(4):
        try:
            image = client.images.get(tag)
            if (image.labels or {}).get("weir.build-key") == key:
                client.images.remove(tag, noprune=False)
        except ImageNotFound:
            pass
        except APIError as exc:
            raise WeirError(f"the cancelled build left the image {tag}, which cannot be "
                            f"removed: {exc.explanation or exc}",
                            hint=f"remove it with `docker rmi {tag}`") from exc
        time.sleep(0.25)


def base_image_or_fail(client: DockerClient, base_image: str):
    from docker.errors import APIError, ImageNotFound

    try:
        return client.images.get(base_image)
    except ImageNotFound as exc:
        raise EnvironmentProblem(
            f"the base image `{base_image}` is not present in the local Docker engine and "
            "cannot be pulled offline",
            hint=OFFLINE_HINT.format(image=base_image),
        ) from exc
    except APIError as exc:
        raise EnvironmentProblem(f"cannot inspect the base image `{base_image}`: "
                                 f"{exc.explanation or exc}") from exc


def probe_base(client: DockerClient, base_image: str) -> PythonTarget:
    """Ask the base image's python3 what it is, so the wheels suit it."""
    from docker.errors import APIError, ContainerError

    try:
        out = client.containers.run(
            base_image, ["-c", PROBE], entrypoint=["python3"], remove=True,
            network_disabled=True, user=f"{CONTAINER_UID}:{CONTAINER_UID}",
        )
    except ContainerError as exc:
        raise _no_python(base_image, str(exc)) from exc
    except APIError as exc:
        raise _no_python(base_image, exc.explanation or str(exc)) from exc
    try:
        facts = json.loads(out.decode().strip().splitlines()[-1])
    except (ValueError, IndexError) as exc:
        raise _no_python(base_image, out.decode(errors="replace")[-200:]) from exc
    major, minor = (int(x) for x in facts["version"].split("."))
    if (major, minor) < MIN_PYTHON:
        raise EnvironmentProblem(
            f"the base image `{base_image}` has Python {facts['version']}; weir needs "
            f"{MIN_PYTHON[0]}.{MIN_PYTHON[1]} or newer",
            hint="use `python:3.11-slim` or a Debian bookworm (or newer) rootfs",
        )
    if not facts.get("venv"):
        raise EnvironmentProblem(
            f"the base image `{base_image}` lacks Python's venv module",
            hint="install it in the base image (Debian: the python3-venv package)",
        )
    return PythonTarget(facts["version"], facts["machine"], facts.get("libc") or "",
                        facts.get("libc_version") or "")


def _no_python(base_image: str, detail: str) -> EnvironmentProblem:
    detail = " ".join(detail.split())[-240:]
    return EnvironmentProblem(
        f"cannot run python3 in the base image `{base_image}`: {detail}",
        hint="the base image needs python3 (3.11+) with the venv module on PATH, e.g. "
        "`python:3.11-slim` or a Debian bookworm rootfs with python3 and python3-venv",
    )


def dockerfile(base_image: str, pip_wheel: str, version: str,
               extras: tuple[str, ...] = ()) -> str:
    """Install from the wheelhouse with pip run straight from its wheel: the base image
    needs neither pip nor ensurepip, nor any network."""
    wanted = " ".join(f'"{r}"' for r in (f"weir-workbench=={version}", *extras))
    return f"""\
FROM {base_image}
COPY wheels /tmp/weir-wheels
RUN python3 -m venv --without-pip {VENV} \\
 && {VENV}/bin/python /tmp/weir-wheels/{pip_wheel}/pip install --no-index --no-cache-dir \\
      --disable-pip-version-check --find-links /tmp/weir-wheels {wanted} \\
 && rm -rf /tmp/weir-wheels \\
 && {VENV}/bin/python -c "import runtime.connectors"
ENV PATH="{VENV}/bin:$PATH" HOME=/tmp PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
USER {CONTAINER_UID}:{CONTAINER_UID}
WORKDIR /tmp
ENTRYPOINT ["{VENV}/bin/python", "-m", "runtime.connectors.run_main"]
"""


def _build(client: DockerClient, base_image: str, wheels: list[Path], tag: str,
           labels: dict[str, str], progress: Progress, extras: tuple[str, ...] = ()) -> None:
    pip_wheels = [w for w in wheels if w.name.startswith("pip-")]
    if not pip_wheels:
        raise WeirError("the wheelhouse has no pip wheel to install with",
                        hint="delete $WEIR_HOME/cache/wheelhouse and retry")
    weir = next(w for w in wheels if w.name.startswith("weir_workbench-"))
    version = weir.name.split("-")[1]
    context = Path(tempfile.mkdtemp(prefix="weir-image-"))
    try:
        (context / "wheels").mkdir()
        for wheel in wheels:
            _link_or_copy(wheel, context / "wheels" / wheel.name)
        recipe = dockerfile(base_image, pip_wheels[0].name, version, extras)
        (context / "Dockerfile").write_text(recipe)
        lines, errors = _stream_build(client, progress, len(wheels), path=str(context),
                                      tag=tag, labels=labels)
        if errors:
            tail = "\n  ".join(lines[-12:])
            raise WeirError(
                f"building the connector image {tag} failed: {errors[-1]}\n  {tail}",
                hint="check that the base image has python3 (3.11+) with the venv module",
            )
    finally:
        shutil.rmtree(context, ignore_errors=True)


_STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)")


def _stream_build(client: DockerClient, progress: Progress, wheel_count: int,
                  **build: object) -> tuple[list[str], list[str]]:
    """Run the build, reporting its steps (and, in the long one, each wheel pip takes);
    on a cancel, close the connection, which makes the engine abandon the build (and,
    with forcerm, remove its container). A watcher notices the cancel within 0.1 s even
    while a step prints nothing."""
    from docker.errors import APIError

    responses: list = []

    def keep(response, *args, **kwargs):
        responses.append(response)

    errors: list[str] = []
    lines: list[str] = []
    client.api.hooks["response"].append(keep)  # the build's HTTP response, to close it
    try:
        chunks = client.api.build(rm=True, forcerm=True, pull=False, network_mode="none",
                                  decode=True, **build)
    except APIError as exc:
        return lines, [str(exc.explanation or exc)]
    finally:
        client.api.hooks["response"].remove(keep)
    finished = threading.Event()

    def watch() -> None:
        while not finished.wait(0.1):
            if progress.cancelled:
                for response in responses:
                    _hang_up(response)  # the read below then ends or fails
                return

    watcher = threading.Thread(target=watch, name="build-cancel", daemon=True)
    watcher.start()
    try:
        step = (0, 1)
        installed = 0
        for chunk in chunks:
            progress.check()
            if "error" in chunk:
                errors.append(str(chunk["error"]).strip())
            for line in (chunk.get("stream") or "").splitlines():
                if not line.strip():
                    continue
                lines.append(line)
                if match := _STEP.match(line):
                    step = (int(match.group(1)), int(match.group(2)))
                    progress.step(f"image step {step[0]}/{step[1]}: {match.group(3)[:80]}",
                                  (step[0] - 1) / step[1])
                elif line.startswith("Processing /tmp/weir-wheels/"):
                    installed += 1
                    within = min(installed / wheel_count, 1.0)
                    progress.step(f"image step {step[0]}/{step[1]}: installing wheel "
                                  f"{installed}/{wheel_count}, {line.rsplit('/', 1)[-1]}",
                                  (step[0] - 1 + within) / step[1], detail=True)
        progress.check()
    except APIError as exc:
        progress.check()
        errors.append(str(exc.explanation or exc))
    except Cancelled:
        for response in responses:
            _hang_up(response)
        raise
    except Exception:  # noqa: BLE001 - the watcher closed the connection under the read
        progress.check()
        raise
    finally:
        finished.set()
        watcher.join()
    return lines, errors


def _hang_up(response) -> None:
    """End a streaming response, waking a read blocked on it in another thread: closing
    it alone leaves such a read waiting for the engine's next bytes."""
    fp = getattr(getattr(response.raw, "_fp", None), "fp", None)
    sock = getattr(getattr(fp, "raw", None), "_sock", None)
    if isinstance(sock, socket.socket):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already gone
    response.close()


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
