"""Where the local cluster keeps its state under `$WEIR_HOME/cluster/`.

```
cluster/
  state.json        {"pid", "port", "started_at", "version"} while the daemon runs
  token             the API token, new at every daemon start
  daemon.log        the daemon's own output
  daemon.lock       held by the running daemon, so two never share one home
  connectors/<name>/
    record.json     what the supervisor knows: profile, desired state, status, restarts
    config.yaml     the config text as created
    secrets         the secrets the connector resolves at start
    output.log      the connector process's stdout and stderr
```
Like everything under the home, directories are 0700 and files 0600 from creation
(runtime.private_files).
"""

from __future__ import annotations

from pathlib import Path

from runtime.home import weir_home
from runtime.private_files import make_private_dir


def cluster_dir(home: Path | None = None) -> Path:
    return make_private_dir((home or weir_home()) / "cluster")


def state_file(home: Path | None = None) -> Path:
    return cluster_dir(home) / "state.json"


def token_file(home: Path | None = None) -> Path:
    return cluster_dir(home) / "token"


def daemon_log(home: Path | None = None) -> Path:
    return cluster_dir(home) / "daemon.log"


def lock_file(home: Path | None = None) -> Path:
    return cluster_dir(home) / "daemon.lock"


def managed_root(home: Path | None = None) -> Path:
    return make_private_dir(cluster_dir(home) / "connectors")


def managed_dir(name: str, home: Path | None = None) -> Path:
    return managed_root(home) / name

