"""Where the local cluster keeps its state under `$WEIR_HOME/cluster/`.

```
cluster/
  state.json        {"pid", "port", "started_at", "version"} while the daemon runs
  token             the API token (0600), new at every daemon start
  daemon.log        the daemon's own output
  daemon.lock       held by the running daemon, so two never share one home
  connectors/<name>/
    record.json     what the supervisor knows: profile, desired state, status, restarts
    config.yaml     the config text as created
    secrets         the secrets the connector resolves at start (0600)
    output.log      the connector process's stdout and stderr
```
"""

from __future__ import annotations

import os
from pathlib import Path

from runtime.home import weir_home


def cluster_dir(home: Path | None = None) -> Path:
    path = (home or weir_home()) / "cluster"
    path.mkdir(parents=True, exist_ok=True)
    return path


def state_file(home: Path | None = None) -> Path:
    return cluster_dir(home) / "state.json"


def token_file(home: Path | None = None) -> Path:
    return cluster_dir(home) / "token"


def daemon_log(home: Path | None = None) -> Path:
    return cluster_dir(home) / "daemon.log"


def lock_file(home: Path | None = None) -> Path:
    return cluster_dir(home) / "daemon.lock"


def managed_root(home: Path | None = None) -> Path:
    path = cluster_dir(home) / "connectors"
    path.mkdir(parents=True, exist_ok=True)
    return path


def managed_dir(name: str, home: Path | None = None) -> Path:
    return managed_root(home) / name


def write_private(path: Path, text: str) -> None:
    """Write a file only its owner can read (tokens, secrets), atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(text)
    tmp.replace(path)
