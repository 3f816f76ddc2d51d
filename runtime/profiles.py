"""Profiles: which cluster a command talks to, as in `fluvio profile`.

The default profile `local` is the embedded store under `$WEIR_HOME`. A profile of
kind `fluvio` points at a real Fluvio cluster. Profiles live in `$WEIR_HOME/profiles.json`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from runtime.errors import EnvironmentProblem, NotFound
from runtime.home import weir_home

DEFAULT_PROFILE = "local"


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    kind: Literal["embedded", "fluvio"] = "embedded"
    # embedded: the directory that holds the store (default: $WEIR_HOME/data)
    data_dir: str | None = None
    # fluvio: the SC endpoint, e.g. "127.0.0.1:9003"
    endpoint: str | None = None

    def store_dir(self) -> Path:
        if self.data_dir:
            return Path(self.data_dir)
        return weir_home() / "data"


def _profiles_file() -> Path:
    return weir_home() / "profiles.json"


def _read() -> dict:
    path = _profiles_file()
    if not path.exists():
        return {"current": DEFAULT_PROFILE, "profiles": {DEFAULT_PROFILE: {"kind": "embedded"}}}
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise EnvironmentProblem(
            f"cannot read {path}: {exc}", hint="fix or delete the file to start from `local`"
        ) from exc
    data.setdefault("profiles", {}).setdefault(DEFAULT_PROFILE, {"kind": "embedded"})
    data.setdefault("current", DEFAULT_PROFILE)
    return data


def _write(data: dict) -> None:
    path = _profiles_file()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2))
    tmp.replace(path)


def list_profiles() -> list[Profile]:
    data = _read()
    return [Profile(name=n, **p) for n, p in sorted(data["profiles"].items())]


def current_profile() -> Profile:
    """The active profile; `WEIR_PROFILE` overrides the stored choice (connectors pin theirs)."""
    import os

    data = _read()
    name = os.environ.get("WEIR_PROFILE") or data["current"]
    return get_profile(name, data)


def get_profile(name: str, data: dict | None = None) -> Profile:
    data = data or _read()
    if name not in data["profiles"]:
        known = ", ".join(sorted(data["profiles"]))
        raise NotFound(f"profile `{name}` not found", hint=f"known profiles: {known}")
    return Profile(name=name, **data["profiles"][name])


def add_profile(profile: Profile, *, switch: bool = False) -> None:
    data = _read()
    body = {k: v for k, v in asdict(profile).items() if k != "name" and v is not None}
    data["profiles"][profile.name] = body
    if switch:
        data["current"] = profile.name
    _write(data)


def switch_profile(name: str) -> Profile:
    data = _read()
    profile = get_profile(name, data)
    data["current"] = name
    _write(data)
    return profile


def delete_profile(name: str) -> None:
    data = _read()
    if name == DEFAULT_PROFILE:
        raise EnvironmentProblem("the `local` profile cannot be deleted")
    if name not in data["profiles"]:
        raise NotFound(f"profile `{name}` not found")
    del data["profiles"][name]
    if data["current"] == name:
        data["current"] = DEFAULT_PROFILE
    _write(data)
