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
from typing import TYPE_CHECKING
from urllib.parse import quote

from runtime.errors import NotFound, WeirError
from runtime.json_file import JsonFileProblem, read_json
from runtime.private_files import make_private_dir, write_private_atomic
from smartmodules.errors import InvalidSmartModule

if TYPE_CHECKING:
    from smartmodules.module import LoadedModule

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
        """The module's bytes, as registered: a file changed since (a bad disk, an edit)
        is refused rather than run as something else."""
        hint = f"register it again: weir smartmodule create {self.name} --wasm-file F --force"
        try:
            wasm = Path(self.path).read_bytes()
        except OSError as exc:
            raise NotFound(f"SmartModule `{self.name}`: its file {self.path} is unreadable "
                           f"({exc.strerror})", hint=hint) from None
        if hashlib.sha256(wasm).hexdigest() != self.sha256:
            raise WeirError(f"SmartModule `{self.name}` is damaged: {self.path} does not "
                            "match the sha256 recorded when it was registered", hint=hint)
        return wasm

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
        make_private_dir(directory)
    return directory


def _entry_dir(name: str, directory: Path | None = None) -> Path:
    return (directory or registry_dir()) / quote(name, safe="@.-+")


@dataclass(frozen=True, slots=True)
class Damaged:
    """A registry entry that cannot be used: listed with why, never silently skipped."""

    name: str
    directory: Path
    reason: str  # what is wrong, e.g. `meta.json:3:5: invalid JSON: ...`

    def to_dict(self) -> dict:
        return {"name": self.name, "kind": None, "size": None, "sha256": None,
                "damaged": self.reason, "path": str(self.directory)}


def _inspect(directory: Path) -> Entry | Damaged:
    """The entry stored in `directory`, or what is wrong with it."""
    from urllib.parse import unquote

    name = unquote(directory.name)
    meta_path = directory / "meta.json"
    try:
        meta = read_json(meta_path)
    except FileNotFoundError:
        return Damaged(name, directory, "meta.json is missing")
    except JsonFileProblem as problem:
        where = f"meta.json:{problem.line}:{problem.column}:" if problem.line else "meta.json"
        return Damaged(name, directory, f"{where} {problem.reason}")
    if not isinstance(meta, dict):
        return Damaged(name, directory,
                       f"meta.json holds a {type(meta).__name__}, not a JSON object")
    fields = [f for f in Entry.__dataclass_fields__ if f != "path"]
    missing = [f for f in fields if f not in meta]
    if missing:
        return Damaged(name, directory, "meta.json lacks " + ", ".join(f"`{f}`" for f in missing))
    wasm = directory / "module.wasm"
    if not wasm.is_file():
        return Damaged(name, directory, "module.wasm is missing")
    return Entry(**{f: meta[f] for f in fields}, path=str(wasm))


def _read_entry(directory: Path) -> Entry | None:
    entry = _inspect(directory)
    return entry if isinstance(entry, Entry) else None


def _entry_dirs(directory: Path | None = None) -> list[Path]:
    """Entry directories, without the hidden ones `create` is still writing."""
    directory = directory or registry_dir()
    if not directory.is_dir():
        return []
    return [c for c in sorted(directory.iterdir()) if c.is_dir() and not c.name.startswith(".")]


def list_modules(directory: Path | None = None) -> list[Entry]:
    """The usable registered modules (list_all also gives the damaged ones); those of the
    registry in `directory` when given, else of the active profile."""
    return [e for e in list_all(directory) if isinstance(e, Entry)]


def list_all(directory: Path | None = None) -> list[Entry | Damaged]:
    """Every registry entry by name, damaged ones included, for list/describe/delete."""
    return sorted((_inspect(child) for child in _entry_dirs(directory)),
                  key=lambda e: e.name)


def damaged_hint(name: str) -> str:
    return (f"register it again with `weir smartmodule create {name} --wasm-file F --force`, "
            f"or remove it with `weir smartmodule delete {name}`")


def inspect(name: str) -> Entry | Damaged:
    """Like get, but a damaged entry is returned (to describe it), not raised."""
    validate_name(name)
    directory = _entry_dir(name)
    if directory.is_dir():
        return _inspect(directory)
    return get(name)  # raises NotFound listing what is registered


def get(name: str, registry: Path | None = None) -> Entry:
    """The registered module `name` (of the registry in `registry`, else the active
    profile's), or NotFound listing what is registered."""
    validate_name(name)
    directory = _entry_dir(name, registry)
    entry = _inspect(directory) if directory.is_dir() else None
    if isinstance(entry, Damaged):
        raise WeirError(f"SmartModule `{name}` is damaged: {entry.reason} (in {directory})",
                        hint=damaged_hint(name))
    if entry is None:
        known = [e.name for e in list_modules(registry)]
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
    return store(name, loaded, source=str(source.resolve()), force=force)


def store(name: str, loaded: LoadedModule, *, source: str | None, force: bool = False,
          registry: Path | None = None) -> Entry:
    """Store an already validated module under `name` (in the registry in `registry`,
    else the active profile's); `source` says where it came from."""
    validate_name(name)
    target = _entry_dir(name, registry)
    if target.exists() and not force:
        raise WeirError(f"SmartModule `{name}` already exists",
                        hint="delete it first or pass --force to replace it")
    make_private_dir(target.parent)
    tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    make_private_dir(tmp)
    write_private_atomic(tmp / "module.wasm", loaded.wasm)
    meta = {
        "name": name,
        "kind": loaded.info.kind,
        "size": loaded.info.size,
        "sha256": hashlib.sha256(loaded.wasm).hexdigest(),
        "created_at": time.time(),
        "source": source,
        "has_init": loaded.info.has_init,
        "has_look_back": loaded.info.has_look_back,
        "uses_wasi": loaded.info.uses_wasi,
        "exports": list(loaded.info.exports),
        "imports": list(loaded.info.imports),
    }
    write_private_atomic(tmp / "meta.json", json.dumps(meta, indent=2))
    if target.exists():
        shutil.rmtree(target)
    tmp.replace(target)
    entry = _read_entry(target)
    if entry is None:  # pragma: no cover - we just wrote it
        raise InvalidSmartModule(f"SmartModule `{name}`: could not store it in {target}")
    return entry


def delete(name: str, registry: Path | None = None) -> None:
    """Remove `name`, also when its entry is damaged (even under a name the rules refuse,
    as long as `list` shows it)."""
    try:
        validate_name(name)
    except InvalidName:
        listed = next((c for c in _entry_dirs(registry) if _inspect(c).name == name), None)
        if listed is None:
            raise
        shutil.rmtree(listed)
        return
    directory = _entry_dir(name, registry)
    if not directory.is_dir():
        get(name, registry)  # raises NotFound with what is registered
    shutil.rmtree(directory)
