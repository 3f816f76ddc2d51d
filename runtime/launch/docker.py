"""Docker-run connectors: one container per connector, on the image from runtime.launch.image.

The container sees the same paths as the host: the config, the secrets file, referenced
.wasm files, the active profile's store and the connector's telemetry directory are bind
mounted at their host paths, over an otherwise empty (tmpfs) `$WEIR_HOME`. It shares the
host's network, so 127.0.0.1 endpoints and the profile's cluster are reachable as they are
for a foreground run. It runs as the host user's uid:gid (files stay the host user's), or
as uid 10001 when weir itself runs as root, never as root.

Containers carry labels (`weir.connector`, `weir.mode=docker`, `weir.profile`,
`weir.config`, `weir.home`) so `weir connector list|logs|stop|delete` find them; only
containers of this `$WEIR_HOME` are ever listed or touched.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from runtime.errors import NotFound, WeirError
from runtime.home import weir_home
from runtime.launch.docker_client import DEFAULT_SOCKET, docker_client
from runtime.launch.image import CONTAINER_UID, DEFAULT_BASE_IMAGE, ensure_image
from runtime.launch.progress import QUIET, Progress
from runtime.private_files import make_private_dir, write_private_atomic

if TYPE_CHECKING:
    from docker import DockerClient
    from docker.models.containers import Container

    from runtime.config.spec import ConnectorSpec
    from runtime.profiles import Profile

MODE = "docker"
LABEL_CONNECTOR = "weir.connector"
LABEL_MODE = "weir.mode"
LABEL_PROFILE = "weir.profile"
LABEL_CONFIG = "weir.config"
LABEL_HOME = "weir.home"
LABEL_TYPE = "weir.type"
LABEL_TOPIC = "weir.topic"
LABEL_KIND = "weir.kind"
STOP_TIMEOUT = 10  # seconds between SIGTERM (graceful: flush, commit) and SIGKILL


@dataclass(frozen=True, slots=True)
class DockerConnector:
    """One Docker-run connector as `connector list` shows it."""

    name: str
    container: str  # the container's name in Docker
    id: str  # short container id
    status: str  # Docker's state: created, running, restarting, paused, exited, dead
    image: str
    profile: str | None
    config: str | None
    started_at: float | None  # epoch seconds
    finished_at: float | None
    exit_code: int | None
    type: str | None = None
    kind: str | None = None  # source | sink
    topic: str | None = None
    restarts: int = 0
    records: int | None = None  # records produced (source) or delivered (sink)
    last_error: str | None = None
    metrics: dict | None = None  # the telemetry counters, as `describe` shows them
    mode: str = MODE

    @property
    def running(self) -> bool:
        return self.status in ("running", "restarting")

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class BindMount:
    source: str
    target: str
    read_only: bool


def home_key(home: Path | None = None) -> str:
    return str((home or weir_home()).resolve())


def container_name(name: str, home: Path | None = None) -> str:
    """Unique per engine: two `$WEIR_HOME`s may each run a connector called `gen`."""
    suffix = hashlib.sha256(home_key(home).encode()).hexdigest()[:8]
    return f"weir-{name}-{suffix}"


# ---------------------------------------------------------------- start


def start_container(
    config: Path,
    *,
    name: str | None = None,
    spec: ConnectorSpec | None = None,
    secrets: Path | None = None,
    base_image: str = DEFAULT_BASE_IMAGE,
    profile: Profile | None = None,
    progress: Progress = QUIET,
    client: DockerClient | None = None,
) -> DockerConnector:
    """Start `config` as connector `name` (default: the config's) in a new container,
    detached, and return it. `spec` is the config already loaded (else it is loaded and
    validated here); .wasm transforms it names by path are mounted read-only. Building
    the image (the first time) reports through `progress` and stops on its cancel,
    before any container exists.
    """
    from docker.errors import APIError, ImageNotFound

    from runtime.profiles import current_profile

    if spec is None:
        from runtime.config.load import load_connector

        spec = load_connector(config, secrets_file=secrets)
    name = name or spec.name
    files = transform_files((t.uses for t in spec.transforms), config)
    client = client or docker_client()
    profile = profile or current_profile()
    home = weir_home()
    existing = _find(client, name, home)
    if existing is not None:
        info = _describe(existing)
        raise WeirError(
            f"connector name `{name}` is already in use by Docker container "
            f"{info.container} ({info.status})",
            hint=f"remove it with `weir connector delete {name}`, or choose another --name",
        )
    _refuse_running_process(name, home)

    image = ensure_image(client, base_image, progress)
    from runtime.connectors.telemetry import connector_dir

    conn_dir = connector_dir(name, home)
    store = _store_dir(profile)
    uid, gid = container_user()
    if os.getuid() == 0 and uid != 0:
        if store is not None:
            # Create the database now, so a root process on the host opening it first
            # cannot leave a root-owned file the container could not write.
            from runtime.topics import open_store

            open_store(profile).close()
        profiles = container_profiles(home, conn_dir)
        _hand_over([p for p in (store, conn_dir) if p is not None], uid, gid)
    else:
        profiles = None
    mounts = plan_mounts(config=config, secrets=secrets, name=name, home=home, store=store,
                         files=files, profiles=profiles)
    args = ["--config", str(config.resolve()), "--name", name, "--console"]
    if secrets is not None:
        args += ["--secrets", str(secrets.resolve())]
    environment = {
        "WEIR_HOME": str(home),
        "WEIR_PROFILE": profile.name,
        "HOME": "/tmp",
        "PYTHONUNBUFFERED": "1",
    }
    for var in ("RUST_LOG", "TZ", "WEIR_DEBUG"):
        if os.environ.get(var):
            environment[var] = os.environ[var]
    labels = {
        LABEL_CONNECTOR: name,
        LABEL_MODE: MODE,
        LABEL_PROFILE: profile.name,
        LABEL_CONFIG: str(config.resolve()),
        LABEL_HOME: home_key(home),
        LABEL_TYPE: spec.type,
        LABEL_KIND: spec.kind,
        LABEL_TOPIC: spec.topic,
    }
    # An empty $WEIR_HOME under the mounts, owned by the container user (Docker drops a
    # tmpfs `mode` when a container restarts, but keeps its owner), unless the store
    # already covers it.
    covered = store is not None and home.resolve().is_relative_to(store)
    tmpfs = {} if covered else {str(home): f"uid={uid},gid={gid},mode=0700"}
    progress.check()  # the last moment a cancel leaves nothing behind
    try:
        container = client.containers.run(
            image, args, detach=True, name=container_name(name, home), labels=labels,
            user=f"{uid}:{gid}", environment=environment, mounts=_docker_mounts(mounts),
            tmpfs=tmpfs, network_mode="host", init=True,
            working_dir=str(config.resolve().parent), stop_signal="SIGTERM",
        )
    except ImageNotFound as exc:  # removed between build and run
        raise WeirError(f"the connector image {image} disappeared; run again to rebuild "
                        "it") from exc
    except APIError as exc:
        if exc.status_code == 409:
            raise WeirError(
                f"the container name {container_name(name, home)} is already in use",
                hint=f"`weir connector delete {name}` or `docker rm -f "
                f"{container_name(name, home)}`",
            ) from exc
        raise WeirError(f"cannot start the connector container: "
                        f"{exc.explanation or exc}") from exc
    container.reload()
    return _describe(container)


def transform_files(uses: Iterable[str], config: Path) -> list[Path]:
    """.wasm transforms referenced by path, found beside the config or from here."""
    found = []
    for item in uses:
        if not item.endswith(".wasm"):
            continue
        path = Path(item).expanduser()
        candidates = [path] if path.is_absolute() else [config.parent / path, Path.cwd() / path]
        found += [c.resolve() for c in candidates if c.is_file()]
    return found


def container_user() -> tuple[int, int]:
    """The host user's ids, so files stay theirs; a fixed unprivileged uid for root."""
    uid, gid = os.getuid(), os.getgid()
    if uid == 0:
        return CONTAINER_UID, CONTAINER_UID
    return uid, gid


def _hand_over(paths: Sequence[Path], uid: int, gid: int) -> None:
    """Weir runs as root but the container must not: give it the store and its telemetry
    (root on the host keeps full access; SQLite keeps -wal/-shm owned like the database)."""
    for top in paths:
        if not top.exists():
            continue
        os.chown(top, uid, gid)
        for dirpath, dirnames, filenames in os.walk(top):
            for entry in (*dirnames, *filenames):
                os.chown(os.path.join(dirpath, entry), uid, gid, follow_symlinks=False)


def container_profiles(home: Path, conn_dir: Path) -> Path | None:
    """profiles.json is private to root, so a container running as another uid reads a
    copy kept in its connector directory (handed over to it with the rest); None when
    there is no profiles.json (the container then knows only `local`)."""
    source = home / "profiles.json"
    try:
        data = source.read_bytes()
    except FileNotFoundError:
        return None
    copy = conn_dir / "profiles.json"
    write_private_atomic(copy, data)
    return copy


def _store_dir(profile: Profile) -> Path | None:
    if profile.kind != "embedded":
        return None
    store = profile.store_dir()
    make_private_dir(store)
    return store.resolve()


def plan_mounts(*, config: Path, secrets: Path | None, name: str, home: Path,
                store: Path | None, files: Iterable[Path] = (),
                profiles: Path | None = None) -> list[BindMount]:
    """Every host path the connector needs, mounted at the same path inside. (The
    SmartModule registry lives in the store directory, so it comes with the store.)
    `profiles`: the file to show as $WEIR_HOME/profiles.json (container_profiles' copy),
    by default that file itself."""
    plan: dict[str, BindMount] = {}

    def add(path: Path, read_only: bool, at: Path | None = None) -> None:
        target = str((at or path).resolve())
        plan[target] = BindMount(str(path.resolve()), target, read_only)

    if profiles is not None:
        add(profiles, True, at=home / "profiles.json")
    elif (home / "profiles.json").is_file():
        add(home / "profiles.json", True)
    if store is not None:
        add(store, False)
    add(home / "connectors" / name, False)
    add(config, True)
    if secrets is not None:
        add(secrets, True)
    for extra in files:
        if extra.exists():
            add(extra, True)
    return sorted(plan.values(), key=lambda m: m.target)


def _docker_mounts(plan: Sequence[BindMount]) -> list:
    from docker.types import Mount

    return [Mount(m.target, m.source, type="bind", read_only=m.read_only) for m in plan]


def _refuse_running_process(name: str, home: Path) -> None:
    """A local-process run of the same name writes the same telemetry: refuse both."""
    path = home / "connectors" / name / "process.json"
    try:
        pid = int(json.loads(path.read_text())["pid"])
    except (OSError, ValueError, KeyError, TypeError):
        return
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return
    except PermissionError:
        pass
    raise WeirError(
        f"connector name `{name}` is already in use by a local process (pid {pid})",
        hint=f"stop it with `weir connector stop {name}`, or choose another --name",
    )


# ---------------------------------------------------------------- list, find, describe


def _engine_configured() -> bool:
    return bool(os.environ.get("DOCKER_HOST")) or os.path.exists(DEFAULT_SOCKET)


def list_containers(*, client: DockerClient | None = None,
                    home: Path | None = None) -> list[DockerConnector]:
    """Docker-run connectors of this `$WEIR_HOME`, running or not; [] without an engine."""
    if client is None:
        if not _engine_configured():
            return []
        from runtime.errors import EnvironmentProblem

        try:
            client = docker_client(timeout=10)
        except EnvironmentProblem:
            return []
    filters = {"label": [f"{LABEL_MODE}={MODE}", f"{LABEL_HOME}={home_key(home)}"]}
    found = [_describe(c) for c in client.containers.list(all=True, filters=filters)]
    return sorted(found, key=lambda c: c.name)


def find_container(name: str, *, client: DockerClient | None = None) -> DockerConnector | None:
    """The Docker-run connector called `name`, or None (also when there is no engine)."""
    for item in list_containers(client=client):
        if item.name == name:
            return item
    return None


def _find(client: DockerClient, name: str, home: Path | None = None) -> Container | None:
    filters = {"label": [f"{LABEL_MODE}={MODE}", f"{LABEL_HOME}={home_key(home)}",
                         f"{LABEL_CONNECTOR}={name}"]}
    found = client.containers.list(all=True, filters=filters)
    return found[0] if found else None


def _get(name: str, client: DockerClient | None) -> tuple[DockerClient, Container]:
    client = client or docker_client()
    container = _find(client, name)
    if container is None:
        raise NotFound(f"no Docker-run connector named `{name}`",
                       hint="`weir connector list` shows the connectors there are")
    return client, container


def _describe(container: Container) -> DockerConnector:
    from runtime.connectors.telemetry import read_metrics

    attrs = container.attrs
    state = attrs.get("State") or {}
    labels = (attrs.get("Config") or {}).get("Labels") or {}
    status = state.get("Status") or container.status
    image = (attrs.get("Config") or {}).get("Image") or ""
    name = labels.get(LABEL_CONNECTOR, container.name)
    started = _epoch(state.get("StartedAt"))
    running = status in ("running", "restarting", "paused")
    metrics = read_metrics(name)
    counters = {
        "records_in": metrics.records_in, "records_out": metrics.records_out,
        "filtered": metrics.filtered, "errors": metrics.errors, "bytes": metrics.bytes,
        "last_error": metrics.last_error,
        "uptime_s": max(0.0, time.time() - started) if running and started else 0.0,
    }
    return DockerConnector(
        name=name,
        container=container.name,
        id=container.short_id,
        status=status,
        image=image,
        profile=labels.get(LABEL_PROFILE),
        config=labels.get(LABEL_CONFIG),
        started_at=started,
        finished_at=None if running else _epoch(state.get("FinishedAt")),
        exit_code=state.get("ExitCode") if status in ("exited", "dead") else None,
        type=labels.get(LABEL_TYPE),
        kind=labels.get(LABEL_KIND),
        topic=labels.get(LABEL_TOPIC),
        restarts=int(attrs.get("RestartCount") or 0),
        records=metrics.records_out if metrics.updated_at else None,
        last_error=metrics.last_error,
        metrics=counters,
    )


def _epoch(stamp: str | None) -> float | None:
    """Docker's RFC 3339 times have nanoseconds; the zero time means 'never'."""
    if not stamp or stamp.startswith("0001-"):
        return None
    main, _, frac = stamp.rstrip("Z").partition(".")
    try:
        base = datetime.fromisoformat(main + "+00:00")
    except ValueError:
        return None
    digits = "".join(ch for ch in frac if ch.isdigit())[:6]
    return base.timestamp() + (int(digits.ljust(6, "0")) / 1e6 if digits else 0.0)


# ---------------------------------------------------------------- logs, stop, remove


def container_logs(name: str, follow: bool = False, since: float | datetime | None = None,
                   tail: int | None = None, *, client: DockerClient | None = None
                   ) -> Iterator[str]:
    """The container's output line by line (stdout and stderr interleaved), from `since`
    (epoch seconds) on, or only the last `tail` lines; with `follow`, until it stops."""
    _, container = _get(name, client)
    kwargs: dict = {"stream": True, "follow": follow, "stdout": True, "stderr": True}
    if tail is not None:
        kwargs["tail"] = tail
    if since is not None:
        kwargs["since"] = since if isinstance(since, datetime) else float(since)
    pending = b""
    for chunk in container.logs(**kwargs):
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            yield line.decode("utf-8", errors="replace").rstrip("\r")
    if pending:
        yield pending.decode("utf-8", errors="replace")


def attach_output(name: str, *, client: DockerClient | None = None
                  ) -> Iterator[tuple[str, bytes]]:
    """Follow a container's output from its start, keeping stdout and stderr apart:
    yields ("stdout" | "stderr", bytes) until the container stops."""
    _, container = _get(name, client)
    for out, err in container.attach(stdout=True, stderr=True, stream=True, logs=True,
                                     demux=True):
        if out:
            yield "stdout", out
        if err:
            yield "stderr", err


def wait_container(name: str, *, client: DockerClient | None = None) -> int:
    _, container = _get(name, client)
    return int(container.wait().get("StatusCode", 1))


def stop_container(name: str, *, timeout: int = STOP_TIMEOUT,
                   client: DockerClient | None = None) -> DockerConnector:
    """SIGTERM (the connector flushes, commits and exits 0), SIGKILL after `timeout`."""
    from docker.errors import APIError

    _, container = _get(name, client)
    try:
        container.stop(timeout=timeout)
    except APIError as exc:
        raise WeirError(f"cannot stop the container of `{name}`: "
                        f"{exc.explanation or exc}") from exc
    container.reload()
    return _describe(container)


def start_again(name: str, *, client: DockerClient | None = None) -> DockerConnector:
    """Start a stopped Docker-run connector in its existing container."""
    from docker.errors import APIError

    _, container = _get(name, client)
    user = str((container.attrs.get("Config") or {}).get("User") or "")
    if os.getuid() == 0 and user.split(":")[0] not in ("", "0", "root"):
        # Files root wrote meanwhile (a store opened first, a log) go back to the container.
        from runtime.connectors.telemetry import connector_dir
        from runtime.profiles import get_profile

        uid, _, gid = user.partition(":")
        labels = (container.attrs.get("Config") or {}).get("Labels") or {}
        paths = [connector_dir(name)]
        if (paths[0] / "profiles.json").is_file():  # its copy, as the profiles are now
            container_profiles(weir_home(), paths[0])
        try:
            store = _store_dir(get_profile(labels.get(LABEL_PROFILE) or "local"))
        except NotFound:
            store = None
        if store is not None:
            paths.append(store)
        _hand_over(paths, int(uid), int(gid or uid))
    try:
        container.start()
    except APIError as exc:
        raise WeirError(f"cannot start the container of `{name}`: "
                        f"{exc.explanation or exc}") from exc
    container.reload()
    return _describe(container)


def remove_container(name: str, *, timeout: int = STOP_TIMEOUT, purge: bool = True,
                     client: DockerClient | None = None) -> None:
    """Stop gracefully when running, then remove the container and, with `purge` (what
    `connector delete` means), its telemetry; a foreground run cleaning up keeps it."""
    import shutil

    from docker.errors import APIError
    from docker.errors import NotFound as DockerNotFound

    from runtime.connectors.telemetry import connector_dir

    _, container = _get(name, client)
    try:
        if container.status in ("running", "restarting", "paused"):
            container.stop(timeout=timeout)
        container.remove(force=True)
    except DockerNotFound:
        pass  # removed meanwhile (e.g. by a foreground run ending)
    except APIError as exc:
        raise WeirError(f"cannot remove the container of `{name}`: "
                        f"{exc.explanation or exc}") from exc
    if purge:
        shutil.rmtree(connector_dir(name), ignore_errors=True)
