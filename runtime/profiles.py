"""Profiles: which cluster a command talks to, as in `fluvio profile`.

The default profile `local` is the embedded store under `$WEIR_HOME`. A profile of
kind `fluvio` points at a real Fluvio cluster. Profiles live in `$WEIR_HOME/profiles.json`.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from runtime.errors import EnvironmentProblem, NotFound, WeirError
from runtime.home import weir_home
from runtime.private_files import write_private_atomic

DEFAULT_PROFILE = "local"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$")
_ENDPOINT = re.compile(r"^(?:[a-z]+://)?(\[[0-9a-fA-F:]+\]|[A-Za-z0-9._-]+):(\d{1,5})$")


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
    except (OSError, ValueError, RecursionError) as exc:  # (nesting too deep: RecursionError)
        raise EnvironmentProblem(
            f"cannot read {path}: {str(exc)[:200]}",
            hint="fix or delete the file to start from `local`",
        ) from None
    if not isinstance(data, dict) or not isinstance(data.get("profiles", {}), dict) or not all(
            isinstance(p, dict) for p in data.get("profiles", {}).values()):
        raise EnvironmentProblem(f"cannot read {path}: not a map of profiles",
                                 hint="fix or delete the file to start from `local`")
    data.setdefault("profiles", {}).setdefault(DEFAULT_PROFILE, {"kind": "embedded"})
    data.setdefault("current", DEFAULT_PROFILE)
    return data


def _write(data: dict) -> None:
    write_private_atomic(_profiles_file(), json.dumps(data, indent=2))


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
        raise WeirError("the `local` profile cannot be deleted",
                        hint="it is the default embedded store; switch away from it instead")
    if name not in data["profiles"]:
        raise NotFound(f"profile `{name}` not found")
    del data["profiles"][name]
    if data["current"] == name:
        data["current"] = DEFAULT_PROFILE
    _write(data)


def new_profile(name: str, *, data_dir: str | None = None,
                endpoint: str | None = None) -> Profile:
    """A checked, not yet saved profile: a valid unused name and one usable target."""
    if not _NAME.match(name):
        raise WeirError(
            f"invalid profile name {name!r}",
            hint="1-63 characters: letters, digits, `.`, `_`, `-`, starting with a letter "
                 "or digit",
        )
    if name in _read()["profiles"]:
        raise WeirError(f"profile `{name}` already exists",
                        hint=f"delete it first with `weir profile delete {name}`")
    if data_dir is not None:
        path = Path(data_dir).expanduser().resolve()
        if path.exists() and not path.is_dir():
            raise WeirError(f"--data-dir {data_dir}: not a directory",
                            hint="give a directory (it is created when missing)")
        return Profile(name=name, kind="embedded", data_dir=str(path))
    if endpoint is not None:
        match = _ENDPOINT.match(endpoint.strip())
        if not match or not 0 < int(match.group(2)) < 65536:
            raise WeirError(f"--fluvio {endpoint!r} is not an endpoint",
                            hint="give HOST:PORT of the Fluvio SC, e.g. 127.0.0.1:9003")
        return Profile(name=name, kind="fluvio", endpoint=endpoint.strip())
    raise WeirError("a profile needs a data directory or a Fluvio endpoint")
