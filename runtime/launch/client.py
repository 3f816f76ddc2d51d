"""The httpx client the CLI and the TUI use to talk to the local cluster."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from runtime.errors import EnvironmentProblem, NotFound, WeirError
from runtime.launch.state import DaemonState, read_state, read_token


class ClusterNotRunning(EnvironmentProblem):
    """No daemon runs for this WEIR_HOME."""


class ClusterRequestFailed(WeirError):
    """The cluster answered with an error; `diagnostics` as the config loader gave them."""

    def __init__(self, message: str, *, hint: str | None = None, exit_code: int = 1,
                 diagnostics: list[dict] | None = None) -> None:
        super().__init__(message, hint=hint)
        self.exit_code = exit_code
        self.diagnostics = diagnostics or []


class ClusterClient:
    """Methods mirror the API; each returns plain JSON data or raises a WeirError."""

    def __init__(self, state: DaemonState, token: str, *, timeout: float = 30.0) -> None:
        self.state = state
        self._http = httpx.Client(
            base_url=state.url, headers={"Authorization": f"Bearer {token}"},
            timeout=httpx.Timeout(timeout, connect=5.0),
        )

    @classmethod
    def connect(cls, home: Path | None = None, *, timeout: float = 30.0) -> ClusterClient:
        state = read_state(home)
        token = read_token(home)
        if state is None or token is None:
            raise ClusterNotRunning("the local cluster is not running",
                                    hint="start it with `weir cluster start`")
        return cls(state, token, timeout=timeout)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ClusterClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- plumbing --------------------------------------------------------------------

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        try:
            response = self._http.request(method, path, **kwargs)
        except httpx.TransportError as exc:
            raise ClusterNotRunning(
                f"cannot reach the local cluster at {self.state.url}: {exc}",
                hint="check `weir cluster status`; restart it with `weir cluster stop` and "
                     "`weir cluster start`",
            ) from exc
        _raise_for(response)
        return response.json()

    def _stream_lines(self, path: str, params: dict[str, Any]) -> Iterator[str]:
        try:
            with self._http.stream("GET", path, params=params,
                                   timeout=httpx.Timeout(None, connect=5.0)) as response:
                if response.status_code >= 400:
                    response.read()
                    _raise_for(response)
                yield from response.iter_lines()
        except httpx.TransportError as exc:
            raise ClusterNotRunning(f"lost the connection to the local cluster: {exc}",
                                    hint="check `weir cluster status`") from exc

    # ---- endpoints -------------------------------------------------------------------

    def health(self) -> dict[str, Any]:
        return self._request("GET", "/health")

    def shutdown(self) -> dict[str, Any]:
        return self._request("POST", "/cluster/shutdown")

    def list_connectors(self) -> list[dict[str, Any]]:
        return self._request("GET", "/connectors")

    def create_connector(self, *, config: str, secrets: str | None, profile: str, cwd: str,
                         source_path: str | None) -> dict[str, Any]:
        return self._request("POST", "/connectors", json={
            "config": config, "secrets": secrets, "profile": profile, "cwd": cwd,
            "source_path": source_path,
        })

    def describe_connector(self, name: str) -> dict[str, Any]:
        return self._request("GET", f"/connectors/{name}")

    def delete_connector(self, name: str) -> dict[str, Any]:
        return self._request("DELETE", f"/connectors/{name}")

    def connector_action(self, name: str, action: str) -> dict[str, Any]:
        """`start`, `stop` or `restart`."""
        return self._request("POST", f"/connectors/{name}/{action}")

    def logs(self, name: str, *, since: float | None = None, tail: int | None = None,
             follow: bool = False) -> Iterator[str]:
        params: dict[str, Any] = {"follow": follow}
        if since is not None:
            params["since"] = since
        if tail is not None:
            params["tail"] = tail
        return self._stream_lines(f"/connectors/{name}/logs", params)

    def list_topics(self) -> list[dict[str, Any]]:
        return self._request("GET", "/topics")

    def describe_topic(self, name: str) -> dict[str, Any]:
        return self._request("GET", f"/topics/{name}")

    def consume(self, topic: str, *, partition: int = 0, offset: int | None = None,
                from_beginning: bool = False, tail: int | None = None,
                follow: bool = True) -> Iterator[dict[str, Any]]:
        params: dict[str, Any] = {"partition": partition, "from_beginning": from_beginning,
                                  "follow": follow}
        if offset is not None:
            params["offset"] = offset
        if tail is not None:
            params["tail"] = tail
        for line in self._stream_lines(f"/topics/{topic}/consume", params):
            if line:
                yield json.loads(line)

    def list_smartmodules(self) -> list[dict[str, Any]]:
        return self._request("GET", "/smartmodules")


def _raise_for(response: httpx.Response) -> None:
    if response.status_code < 400:
        return
    try:
        body = response.json()
    except ValueError:
        body = {"error": response.text.strip() or response.reason_phrase}
    message = body.get("error") or body.get("detail") or f"HTTP {response.status_code}"
    if not isinstance(message, str):
        message = json.dumps(message)
    if response.status_code == 404 and body.get("kind") == "NotFound":
        raise NotFound(message, hint=body.get("hint"))
    exit_code = body.get("exit_code") or (2 if response.status_code in (401, 500) else 1)
    raise ClusterRequestFailed(message, hint=body.get("hint"), exit_code=int(exit_code),
                               diagnostics=body.get("diagnostics"))


def cluster_state(home: Path | None = None) -> str:
    """One word for status bars: `running`, `stopped` or `unreachable`."""
    try:
        with ClusterClient.connect(home, timeout=2.0) as client:
            client.health()
    except ClusterNotRunning as exc:
        return "unreachable" if "reach" in exc.message else "stopped"
    except WeirError:
        return "unreachable"
    return "running"
