"""A `weir` profile in Fluvio's own config file ($FLV_PROFILE_PATH, else ~/.fluvio/config),
so that `Fluvio.connect()`, the `fluvio` CLI and cdk connectors reach the local cluster
with no flags. The user's other profiles and settings are kept as they were."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from runtime import toml_write
from runtime.errors import EnvironmentProblem, WeirError
from runtime.private_files import write_private_atomic

PROFILE = "weir"
CONFIG_VERSION = "2.0"


def config_path() -> Path:
    """Where Fluvio's clients look for their profiles."""
    env = os.environ.get("FLV_PROFILE_PATH")
    return Path(env) if env else Path.home() / ".fluvio" / "config"


def _read(path: Path) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise EnvironmentProblem(f"cannot read Fluvio's config {path}: {exc}") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise WeirError(f"{path}: {exc}",
                        hint="fix the file (it is TOML), or point FLV_PROFILE_PATH elsewhere"
                        ) from None


def write_profile(endpoint: str, *, switch: bool, path: Path | None = None) -> tuple[Path, bool]:
    """Add or update the `weir` profile and cluster pointing at `endpoint` (the SC). It
    becomes the current profile with `switch`, or when the file had none. Returns the
    file and whether `weir` is now the current profile."""
    path = path or config_path()
    try:
        config = _read(path)
        config.setdefault("version", CONFIG_VERSION)
        profiles = config.setdefault("profile", {})
        clusters = config.setdefault("cluster", {})
        if not isinstance(profiles, dict) or not isinstance(clusters, dict):
            raise WeirError(f"{path}: `profile` and `cluster` must be tables")
        profile = profiles.get(PROFILE) if isinstance(profiles.get(PROFILE), dict) else {}
        profiles[PROFILE] = {**profile, "cluster": PROFILE}
        cluster = clusters.get(PROFILE) if isinstance(clusters.get(PROFILE), dict) else {}
        clusters[PROFILE] = {**cluster, "endpoint": endpoint, "use_spu_local_address": False,
                             "tls": {"tls_policy": "disabled"}}
        if switch or not config.get("current_profile"):
            config["current_profile"] = PROFILE
        # `version` and `current_profile` first, as Fluvio writes them.
        ordered = {k: config[k] for k in ("version", "current_profile") if k in config}
        ordered.update((k, v) for k, v in config.items() if k not in ordered)
        write_private_atomic(path, toml_write.dumps(ordered))
    except OSError as exc:
        raise EnvironmentProblem(f"cannot write Fluvio's config {path}: "
                                 f"{exc.strerror or exc}") from None
    return path, ordered.get("current_profile") == PROFILE


def refresh_profile(endpoint: str, path: Path | None = None) -> Path | None:
    """Point an existing `weir` profile at `endpoint` (the cluster started on other ports
    than last time); the file when it changed, None when there is no such profile or it
    points there already. Never creates one: that is `weir cluster fluvio-profile`."""
    path = path or config_path()
    cluster = _read(path).get("cluster")
    weir = cluster.get(PROFILE) if isinstance(cluster, dict) else None
    if not isinstance(weir, dict) or weir.get("endpoint") == endpoint:
        return None
    return write_profile(endpoint, switch=False, path=path)[0]
