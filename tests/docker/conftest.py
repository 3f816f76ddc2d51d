"""A real Docker engine and an offline base image for the Docker-run connector tests.

Images cannot be pulled here, so the base image is a Debian rootfs made with
`debootstrap --variant=minbase --include=python3,python3-venv bookworm` and imported with
`docker import`. It is built once per machine: the image stays in the engine, and the
rootfs tarball is kept in the test cache ($WEIR_TEST_CACHE, default ~/.cache/weir-tests)
so a fresh engine only needs the ~3 s import. The tests skip only when Docker truly cannot
run here (not root and no usable engine, or no dockerd binary); anything else fails.
"""

from __future__ import annotations

import contextlib
import io
import os
import shutil
import subprocess
import time
import uuid
from pathlib import Path

import pytest

from tests.docker.helpers import containers_of, remove_with_descendants

BASE_IMAGE = "weir-test-base:bookworm"
SOCKET = "/var/run/docker.sock"
MIRROR = os.environ.get("WEIR_TEST_DEBIAN_MIRROR", "http://deb.debian.org/debian")


def _cache_dir() -> Path:
    path = Path(os.environ.get("WEIR_TEST_CACHE") or Path.home() / ".cache" / "weir-tests")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _engine_reachable() -> bool:
    import docker

    try:
        docker.from_env(timeout=10).ping()
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


@pytest.fixture(scope="session")
def docker_engine():
    """A docker-py client on a running engine, started here (as root) when absent."""
    started = None
    if not os.environ.get("DOCKER_HOST") and not _engine_reachable():
        if os.geteuid() != 0:
            pytest.skip(f"no reachable Docker engine at {SOCKET} and not root to start one")
        if not shutil.which("dockerd"):
            pytest.skip("no Docker engine and no `dockerd` binary (Debian: docker.io)")
        for stale in (SOCKET, "/var/run/docker.pid"):  # left by an engine that died
            with contextlib.suppress(FileNotFoundError):
                os.unlink(stale)
        log = open("/tmp/weir-test-dockerd.log", "ab")  # noqa: SIM115 - lives with dockerd
        started = subprocess.Popen(["dockerd"], stdout=log, stderr=subprocess.STDOUT)
        for _ in range(120):
            if os.path.exists(SOCKET) and _engine_reachable():
                break
            if started.poll() is not None:
                pytest.fail("dockerd exited at start; see /tmp/weir-test-dockerd.log")
            time.sleep(0.5)
    import docker

    try:
        client = docker.from_env(timeout=300)
        client.ping()
    except Exception as exc:  # noqa: BLE001
        if os.geteuid() != 0:
            pytest.skip(f"the Docker engine is not usable by this user: {exc}")
        raise
    yield client
    client.close()
    if started is not None:
        started.terminate()
        try:
            started.wait(timeout=30)
        except subprocess.TimeoutExpired:
            started.kill()


@pytest.fixture(scope="session")
def base_image(docker_engine) -> str:
    """`weir-test-base:bookworm`: from the engine, else the cached rootfs, else debootstrap."""
    from docker.errors import ImageNotFound

    try:
        docker_engine.images.get(BASE_IMAGE)
        return BASE_IMAGE
    except ImageNotFound:
        pass
    tarball = _cache_dir() / "bookworm-python3-rootfs.tar"
    if not tarball.is_file():
        _debootstrap(tarball)
    repository, tag = BASE_IMAGE.split(":")
    docker_engine.api.import_image_from_file(str(tarball), repository=repository, tag=tag)
    docker_engine.images.get(BASE_IMAGE)
    return BASE_IMAGE


def _debootstrap(tarball: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("building the offline base image needs root (debootstrap)")
    if not shutil.which("debootstrap"):
        pytest.skip("building the offline base image needs `debootstrap` (Debian package)")
    rootfs = tarball.with_suffix(".d")
    shutil.rmtree(rootfs, ignore_errors=True)
    proc = subprocess.run(
        ["debootstrap", "--variant=minbase", "--include=python3,python3-venv", "bookworm",
         str(rootfs), MIRROR],
        capture_output=True, text=True,
    )
    if proc.returncode != 0:
        pytest.fail(f"debootstrap failed ({proc.returncode}):\n{proc.stdout[-2000:]}"
                    f"\n{proc.stderr[-2000:]}")
    partial = tarball.with_suffix(".partial")
    subprocess.run(["tar", "-C", str(rootfs), "-cf", str(partial), "."], check=True)
    partial.replace(tarball)
    shutil.rmtree(rootfs, ignore_errors=True)


@pytest.fixture
def cleanup(docker_engine, weir_home):
    """Names of connectors whose containers a test started: removed whatever happens."""
    names: list[str] = []
    yield names
    for name in names:
        for container in containers_of(docker_engine, name, weir_home):
            container.remove(force=True)


@pytest.fixture
def shared_wheelhouse(weir_home: Path) -> None:
    """Every test has its own WEIR_HOME; the wheels the image installs (built on the host,
    minutes the first time) are kept once for all of them, as one user's home keeps them."""
    shared = _cache_dir() / "wheelhouse"
    shared.mkdir(parents=True, exist_ok=True)
    (weir_home / "cache").mkdir(exist_ok=True)
    (weir_home / "cache" / "wheelhouse").symlink_to(shared, target_is_directory=True)


@pytest.fixture
def fresh_base(docker_engine, base_image):
    """The base image under a new id, so the connector image is not cached and a start
    must build it; removed afterwards with whatever a build left on top of it."""
    tag = f"weir-test-cancel:{uuid.uuid4().hex[:12]}"
    recipe = f"FROM {base_image}\nLABEL weir.test.cancel={tag.split(':')[1]}\n"
    image, _ = docker_engine.images.build(fileobj=io.BytesIO(recipe.encode()), tag=tag,
                                          pull=False, network_mode="none", rm=True)
    yield tag, image.id
    remove_with_descendants(docker_engine, image.id)

