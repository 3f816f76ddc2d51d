"""Registered SmartModules of the active profile: `weir smartmodule create|list|describe|
delete`, and what `uses: NAME` resolves to.

Layout: `<profile store dir>/smartmodules/<quoted name>/module.wasm` + `meta.json`, where
the quoted name percent-encodes the `/` of `group/name@version`.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from urllib.parse import quote

from runtime.errors import NotFound, WeirError
from smartmodules.errors import InvalidSmartModule

_VERSION = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.+-]*$")
MAX_NAME = 63


class InvalidName(WeirError):
    """A SmartModule name that breaks the name rules."""


@dataclass(frozen=True, slots=True)
class Entry:
    name: str
    kind: str
    size: int
    sha256: str
    created_at: float
    source: str | None
    has_init: bool
    has_look_back: bool
    uses_wasi: bool
    exports: list[str]
    imports: list[str]
    path: str

    def read_wasm(self) -> bytes:
        try:
            return Path(self.path).read_bytes()
        except OSError as exc:
            raise NotFound(f"SmartModule `{self.name}`: its file {self.path} is unreadable "
                           f"({exc.strerror})",
                           hint=f"register it again: weir smartmodule create {self.name} "
                                "--wasm-file F --force") from None

    def to_dict(self) -> dict:
        data = asdict(self)
        data["created_at"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(self.created_at))
        return data


def _check_part(part: str, what: str, full: str) -> None:
    from runtime.config.names import name_problem, suggest_name

    problem = name_problem("smartmodule", part)
    if problem:
        guess = suggest_name(part)
        raise InvalidName(f"invalid SmartModule name `{full}`: {problem}" if part != full
                          else problem,
                          hint=f"did you mean `{full.replace(part, guess, 1)}`?" if guess else
                          f"the {what} takes at most {MAX_NAME} characters from a-z, 0-9 "
                               "and '-', not starting or ending with '-'; the full form is "
                               "`group/name@version`")


def validate_name(name: str) -> str:
    """Check `name`, `name@version`, `group/name` or `group/name@version`; return it."""
    rest, _, version = name.partition("@")
    if "@" in name and (not version or not _VERSION.match(version)):
        raise InvalidName(f"invalid SmartModule name `{name}`: the version `{version}` "
                          "must be like 0.1.0", hint="use `group/name@version`")
    if rest.count("/") > 1:
        raise InvalidName(f"invalid SmartModule name `{name}`: at most one `/` (group/name)")
    group, _, base = rest.rpartition("/")
    if "/" in rest:
        _check_part(group, "group", name)
    _check_part(base, "name", name)
    return name


def is_valid_name(name: str) -> bool:
    try:
        validate_name(name)
    except InvalidName:
        return False
    return True


def registry_dir(create: bool = False) -> Path:
    from runtime.profiles import current_profile

    directory = current_profile().store_dir() / "smartmodules"
    if create:
        directory.mkdir(parents=True, exist_ok=True)
    return directory


def _entry_dir(name: str) -> Path:
    return registry_dir() / quote(name, safe="@.-+")


def _read_entry(directory: Path) -> Entry | None:
    try:
        meta = json.loads((directory / "meta.json").read_text())
        return Entry(**meta, path=str(directory / "module.wasm"))
    except (OSError, ValueError, TypeError):
        return None


def list_modules() -> list[Entry]:
    directory = registry_dir()
    if not directory.is_dir():
        return []
    entries = []
    for child in sorted(directory.iterdir()):
        if child.is_dir():
            entry = _read_entry(child)
            if entry is not None:
                entries.append(entry)
    return sorted(entries, key=lambda e: e.name)


def get(name: str) -> Entry:
    """The registered module `name`, or NotFound listing what is registered."""
    validate_name(name)
    directory = _entry_dir(name)
    entry = _read_entry(directory)
    if entry is None and directory.is_dir():
        raise WeirError(f"SmartModule `{name}` is damaged: {directory / 'meta.json'} cannot "
                        "be read", hint=f"register it again with `weir smartmodule create {name} "
                        "--wasm-file F --force`, or `weir smartmodule delete` it")
    if entry is None:
        known = [e.name for e in list_modules()]
        hint = (f"registered: {', '.join(known)}" if known else "no SmartModules registered")
        raise NotFound(f"SmartModule `{name}` not found",
                       hint=f"{hint}; register one with `weir smartmodule create {name} "
                            "--wasm-file F`, or give a path to a .wasm file")
    return entry


def create(name: str, wasm_file: str | Path, *, force: bool = False) -> Entry:
    """Validate the file as a SmartModule and store it under `name`."""
    from smartmodules.module import load_file

    validate_name(name)
    source = Path(wasm_file)
    loaded = load_file(source, name=source.name)
    target = _entry_dir(name)
    if target.exists() and not force:
        raise WeirError(f"SmartModule `{name}` already exists",
                        hint="delete it first or pass --force to replace it")
    registry_dir(create=True)
    tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    (tmp / "module.wasm").write_bytes(loaded.wasm)
    meta = {
        "name": name,
        "kind": loaded.info.kind,
        "size": loaded.info.size,
        "sha256": hashlib.sha256(loaded.wasm).hexdigest(),
        "created_at": time.time(),
        "source": str(source.resolve()),
        "has_init": loaded.info.has_init,
        "has_look_back": loaded.info.has_look_back,
        "uses_wasi": loaded.info.uses_wasi,
        "exports": list(loaded.info.exports),
        "imports": list(loaded.info.imports),
    }
    (tmp / "meta.json").write_text(json.dumps(meta, indent=2))
    if target.exists():
        shutil.rmtree(target)
    tmp.replace(target)
    entry = _read_entry(target)
    if entry is None:  # pragma: no cover - we just wrote it
        raise InvalidSmartModule(f"SmartModule `{name}`: could not store it in {target}")
    return entry


def delete(name: str) -> None:
    """Remove `name`, also when its entry is damaged."""
    validate_name(name)
    directory = _entry_dir(name)
    if not directory.is_dir():
        get(name)  # raises NotFound with what is registered
    shutil.rmtree(directory)
