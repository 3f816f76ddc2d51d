"""The local cluster's HTTP API (FastAPI): connectors, topics, SmartModules, logs and
consume streams. Every request must carry `Authorization: Bearer <token>`; the token
lives in a file only the user can read, so other local users get 401."""

from __future__ import annotations

import asyncio
import base64
import hmac
import json
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import AfterValidator, BaseModel
from starlette.exceptions import HTTPException

from runtime import __version__
from runtime.connectors import telemetry
from runtime.errors import NotFound, WeirError, os_problem
from runtime.launch import records as rec
from runtime.launch.describe import managed_config
from runtime.launch.logs import LogFollower, read_lines
from runtime.launch.supervisor import ConnectorExists, Supervisor
from runtime.launch.views import managed_view


class TokenAuth:
    """ASGI middleware: refuse any request without the right bearer token."""

    def __init__(self, app, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "http":
            given = dict(scope.get("headers") or []).get(b"authorization", b"")
            if not hmac.compare_digest(given, self.expected):
                response = JSONResponse(
                    {"error": "missing or wrong token", "exit_code": 2,
                     "hint": "send `Authorization: Bearer <token>` with the token from "
                             "$WEIR_HOME/cluster/token"},
                    status_code=401, headers={"WWW-Authenticate": "Bearer"},
                )
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


# A request body holds a config and its secrets: the config is refused over 1 MiB anyway
# (runtime.config.yamlpos.MAX_BYTES), so a body this large is never a real request.
MAX_BODY_BYTES = 4 * 1024 * 1024


class BodyLimit:
    """ASGI middleware: refuse a request body over MAX_BODY_BYTES (413, JSON) before any
    of it is parsed, whether it says its length or streams chunks."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "DELETE"):
            await self.app(scope, receive, send)
            return
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY_BYTES:
                await _json_error(f"request body over {MAX_BODY_BYTES:,} bytes", 413,
                                  "a connector config is a few KiB")(scope, receive, send)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _json_error(error: str, status: int, hint: str | None = None,
                kind: str = "InvalidRequest") -> JSONResponse:
    return JSONResponse({"error": error, "hint": hint, "exit_code": 1, "kind": kind},
                        status_code=status)


def _checked_name(name: str) -> str:
    from runtime.config.names import name_problem

    problem = name_problem("connector", name)
    if problem:
        raise ValueError(problem)
    return name


# Path parameters naming a connector: checked before any file under $WEIR_HOME is touched
Name = Annotated[str, AfterValidator(_checked_name)]


class CreateRequest(BaseModel):
    config: str
    secrets: str | None = None
    profile: str
    cwd: str
    source_path: str | None = None


def _error_body(exc: WeirError) -> dict[str, Any]:
    body: dict[str, Any] = {"error": exc.message, "hint": exc.hint,
                            "exit_code": exc.exit_code, "kind": type(exc).__name__}
    diagnostics = getattr(exc, "diagnostics", None)
    if diagnostics:
        body["diagnostics"] = [
            {k: getattr(d, k, None) for k in ("severity", "code", "message", "line", "column",
                                                "hint")}
            for d in diagnostics
        ]
    return body


def _status_for(exc: WeirError) -> int:
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, ConnectorExists):
        return 409
    # the input was wrong (1), or it cannot be carried out here (2: a full disk, a
    # profile that cannot be used): either way an answer about this request, never a 5xx
    return 400 if exc.exit_code == 1 else 422


def _encode(data: bytes | None) -> tuple[str | None, str]:
    if data is None:
        return None, "utf-8"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return base64.b64encode(data).decode(), "base64"


def record_json(record) -> dict[str, Any]:
    key, key_encoding = _encode(record.key)
    value, value_encoding = _encode(record.value)
    return {"partition": record.partition, "offset": record.offset,
            "timestamp": record.timestamp, "key": key, "value": value,
            "encoding": "base64" if "base64" in (key_encoding, value_encoding) else "utf-8",
            "headers": [[k, _encode(v)[0]] for k, v in record.headers]}


def create_app(supervisor: Supervisor, token: str, *,
               is_closing: Callable[[], bool] = lambda: False,
               request_shutdown: Callable[[], None] = lambda: None,
               lifespan=None) -> FastAPI:
    home: Path = supervisor.home
    app = FastAPI(title="weir cluster", version=__version__, docs_url=None, redoc_url=None,
                  lifespan=lifespan)

    @app.exception_handler(WeirError)
    async def weir_error(_: Request, exc: WeirError) -> JSONResponse:
        return JSONResponse(_error_body(exc), status_code=_status_for(exc))

    @app.exception_handler(OSError)
    async def machine_error(_: Request, exc: OSError) -> JSONResponse:
        # a full disk or an unwritable file under $WEIR_HOME: the machine, not a bug
        problem = os_problem(exc, near=home)
        return JSONResponse(_error_body(problem), status_code=_status_for(problem))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors()[:5]:
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
            problems.append(f"{where}: {err.get('msg', 'invalid')}")
        return _json_error("invalid request: " + "; ".join(problems), 400,
                           "send a JSON object as weir's own client does")

    @app.exception_handler(HTTPException)
    async def http_error(_: Request, exc: HTTPException) -> JSONResponse:
        return _json_error(f"{exc.detail}", exc.status_code,
                           kind="NotFound" if exc.status_code == 404 else "InvalidRequest")

    @app.exception_handler(Exception)
    async def internal_error(_: Request, exc: Exception) -> JSONResponse:
        # Starlette still re-raises it afterwards, so the traceback lands in daemon.log.
        return JSONResponse(
            {"error": f"internal error in the cluster: {type(exc).__name__}: {exc}",
             "hint": f"this is a bug in weir; see {home / 'cluster' / 'daemon.log'}",
             "exit_code": 1, "kind": "InternalError"},
            status_code=500,
        )

    # ---- cluster -----------------------------------------------------------------

    @app.get("/health")
    def health() -> dict[str, Any]:
        return {"ok": True, "version": __version__, "home": str(home),
                "connectors": len(supervisor.list())}

    @app.post("/cluster/shutdown")
    def shutdown() -> dict[str, Any]:
        running = [r.name for r in supervisor.list() if r.status == rec.RUNNING]
        request_shutdown()
        return {"stopping": running}

    # ---- connectors --------------------------------------------------------------

    @app.get("/connectors")
    def list_connectors() -> list[dict[str, Any]]:
        from runtime.launch.inventory import damaged_views

        views = [managed_view(r, home) for r in supervisor.list()]
        return sorted(views + damaged_views(home), key=lambda v: v["name"])

    @app.post("/connectors", status_code=201)
    def create_connector(body: CreateRequest) -> dict[str, Any]:
        from runtime.profiles import get_profile

        name = _checked_config(body)  # the CLI's limits, before anything else reads it
        get_profile(body.profile)
        _refuse_process_clash(home, name)
        record = supervisor.create(config_text=body.config, secrets_text=body.secrets,
                                   profile=body.profile, cwd=body.cwd,
                                   source_path=body.source_path)
        return managed_view(record, home)

    @app.get("/connectors/{name}")
    def describe_connector(name: Name) -> dict[str, Any]:
        damaged = rec.record_problem(name, home)
        if damaged is not None:  # the supervisor never loaded it: say what is wrong
            from runtime.launch.inventory import damaged_view

            view = damaged_view(damaged, home)
            view["config"] = managed_config(name, home)
            return view
        record = supervisor.get(name)
        view = managed_view(record, home, history=True)
        view["config"] = managed_config(name, home, supervisor.secret_values(name))
        return view

    @app.delete("/connectors/{name}")
    def delete_connector(name: Name) -> dict[str, Any]:
        if rec.record_problem(name, home) is not None:  # unknown to the supervisor
            from runtime.launch.inventory import delete_offline

            delete_offline(name, home)
            return {"deleted": name}
        supervisor.get(name)
        supervisor.delete(name)
        return {"deleted": name}

    @app.post("/connectors/{name}/stop")
    def stop_connector(name: Name) -> dict[str, Any]:
        return managed_view(supervisor.stop(name), home)

    @app.post("/connectors/{name}/start")
    def start_connector(name: Name) -> dict[str, Any]:
        return managed_view(supervisor.start(name), home)

    @app.post("/connectors/{name}/restart")
    def restart_connector(name: Name) -> dict[str, Any]:
        return managed_view(supervisor.restart(name), home)

    @app.get("/connectors/{name}/logs")
    def connector_logs(name: Name, since: float | None = None, tail: int | None = None,
                       follow: bool = False) -> StreamingResponse:
        # a damaged record's connector cannot run, but its past log is still worth reading
        damaged = rec.record_problem(name, home) is not None
        if not damaged:
            supervisor.get(name)
        path = telemetry.log_path(name, home)
        lines, offset = read_lines(path, since=since, tail=tail)

        async def stream() -> AsyncIterator[bytes]:
            if lines:
                yield ("\n".join(lines) + "\n").encode()
            if not follow or damaged:
                return
            follower = LogFollower(path, offset)
            while not is_closing():
                batch = follower.poll()
                if batch:
                    yield ("\n".join(batch) + "\n").encode()
                    continue
                try:
                    supervisor.get(name)
                except NotFound:
                    return  # deleted while we followed
                await asyncio.sleep(0.2)

        return StreamingResponse(stream(), media_type="text/plain; charset=utf-8")

    # ---- topics ------------------------------------------------------------------

    @app.get("/topics")
    def list_topics(profile: str | None = None) -> list[dict[str, Any]]:
        store = _store(profile)
        try:
            return [_topic_json(info) for info in store.list_topics()]
        finally:
            store.close()

    @app.get("/topics/{name}")
    def describe_topic(name: str, profile: str | None = None) -> dict[str, Any]:
        store = _store(profile)
        try:
            return _topic_json(store.describe_topic(name))
        finally:
            store.close()

    @app.get("/topics/{name}/consume")
    def consume(name: str, partition: int = 0, offset: int | None = None,
                from_beginning: bool = False, tail: int | None = None, follow: bool = True,
                profile: str | None = None) -> StreamingResponse:
        store = _store(profile)
        try:
            earliest = store.earliest_offset(name, partition)
            latest = store.latest_offset(name, partition)
        except BaseException:
            store.close()
            raise
        if offset is not None:
            start = max(earliest, offset)
        elif from_beginning:
            start = earliest
        elif tail is not None:
            start = max(earliest, latest - tail)
        else:
            start = latest

        async def stream() -> AsyncIterator[bytes]:
            try:
                position = start
                while position < latest:
                    batch = store.read(name, partition, position, 500)
                    if not batch:
                        break
                    yield b"".join(json.dumps(record_json(r)).encode() + b"\n" for r in batch)
                    position = batch[-1].offset + 1
                    await asyncio.sleep(0)
                if not follow:
                    return
                while not is_closing():
                    batch = store.read(name, partition, position, 500)
                    if batch:
                        yield b"".join(json.dumps(record_json(r)).encode() + b"\n"
                                       for r in batch)
                        position = batch[-1].offset + 1
                    else:
                        await asyncio.sleep(0.1)
            finally:
                store.close()

        return StreamingResponse(stream(), media_type="application/x-ndjson")

    # ---- SmartModules ------------------------------------------------------------

    @app.get("/smartmodules")
    def list_smartmodules() -> list[dict[str, Any]]:
        from runtime.launch.smartmodule_list import smartmodules_json

        return smartmodules_json()

    return TokenAuth(BodyLimit(app), token)  # type: ignore[return-value]


def _store(profile_name: str | None):
    """The store of a given profile, else of the active one (read at each request, so a
    `profile switch` is seen at once by topic commands, never by running connectors)."""
    from runtime.profiles import current_profile, get_profile
    from runtime.topics import open_store

    profile = get_profile(profile_name) if profile_name else current_profile()
    return open_store(profile)


def _topic_json(info) -> dict[str, Any]:
    return {
        "name": info.spec.name,
        "partitions": info.spec.partitions,
        "retention_ms": info.spec.retention_ms,
        "segment_bytes": info.spec.segment_bytes,
        "records": info.record_count,
        "partition_info": [
            {"partition": p.partition, "earliest": p.earliest, "latest": p.latest,
             "size_bytes": p.size_bytes}
            for p in info.partitions
        ],
    }


def _checked_config(body: CreateRequest) -> str:
    """Validate the submitted config with the limits `weir validate` applies (size, depth,
    alias expansion, NUL bytes, huge numbers) before anything else parses it; its name."""
    from runtime.config.load import ConfigInvalid
    from runtime.config.validate import analyze_text

    label = body.source_path or "submitted config"
    analysis = analyze_text(body.config, label)
    if not analysis.report.valid or analysis.loaded is None:
        raise ConfigInvalid(label, analysis.report.diagnostics)
    data = analysis.loaded.data
    meta = data.get("meta", data) if analysis.format == "current" else data
    return str(meta.get("name", "")) if isinstance(meta, dict) else ""


def _refuse_process_clash(home: Path, name: str) -> None:
    """A `connector run` process of the same name writes the same telemetry files."""
    from runtime.launch.processes import pid_alive

    if not name:
        return
    info_path = home / "connectors" / name / "process.json"
    try:
        pid = json.loads(info_path.read_text()).get("pid")
    except (OSError, ValueError, AttributeError):
        return
    if pid_alive(pid):
        raise ConnectorExists(
            f"connector `{name}` is already running as a local process (pid {pid})",
            hint=f"stop it first: `weir connector stop {name}`",
        )
