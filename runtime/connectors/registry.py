"""Which class implements which connector type: the `weir.connectors` entry points.

Weir's own five connectors are entry points of its own distribution (pyproject.toml), found
the same way as a plugin's, so there is one path for both. A plugin that cannot be loaded
(import error, not a connector class, a type name already taken) is left out and reported
once, by name, with its error; everything else keeps working.
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from runtime.errors import WeirError

GROUP = "weir.connectors"
OWN_DIST = "weir-workbench"
_TYPE_NAME = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")


@dataclass(frozen=True, slots=True)
class PluginFailure:
    """An entry point that did not give a usable connector class."""

    name: str  # the entry point's name: the type it meant to provide
    target: str  # `module:Class`
    dist: str  # the distribution that declared it
    error: str

    def message(self) -> str:
        return (f"connector plugin `{self.name}` ({self.target}, from {self.dist}) cannot be "
                f"loaded: {self.error}")


@dataclass(frozen=True, slots=True)
class Discovery:
    classes: dict[str, tuple[type, str]]  # type name -> (class, distribution), in order
    failures: tuple[PluginFailure, ...]
    seen: frozenset[tuple[str, str, str]] = frozenset()  # (name, target, dist) looked at


def _print_failure(failure: PluginFailure) -> None:
    print(f"warning: {failure.message()}", file=sys.stderr)


# How a failure is told, once per process: stderr by default; the TUI shows a notice.
on_failure: Callable[[PluginFailure], None] = _print_failure
_told: set[tuple[str, str]] = set()


def _own_entry_points() -> list[metadata.EntryPoint]:
    """Weir's own connectors as declared in its pyproject.toml: read from there only when
    the installed metadata predates them (an editable install not reinstalled since)."""
    import tomllib

    path = Path(__file__).resolve().parents[2] / "pyproject.toml"
    try:
        table = tomllib.loads(path.read_text())["project"]["entry-points"][GROUP]
    except (OSError, KeyError, ValueError):
        return []
    return [metadata.EntryPoint(name, value, GROUP) for name, value in table.items()]


def _entry_points() -> list[tuple[metadata.EntryPoint, str]]:
    found: list[tuple[metadata.EntryPoint, str]] = []
    seen: set[tuple[str, str]] = set()
    for ep in metadata.entry_points(group=GROUP):
        dist = ep.dist.name if ep.dist is not None else "?"
        if (ep.name, ep.value) in seen:  # the same distribution on sys.path twice
            continue
        seen.add((ep.name, ep.value))
        found.append((ep, dist))
    if not any(dist == OWN_DIST for _, dist in found):
        found[:0] = [(ep, OWN_DIST) for ep in _own_entry_points()]
    # Weir's own first, in their declared order; plugins after, by name
    own = [item for item in found if item[1] == OWN_DIST]
    return own + sorted((item for item in found if item[1] != OWN_DIST),
                        key=lambda item: item[0].name)


def check_class(cls: object, name: str) -> str | None:
    """Why `cls` is not a connector type registered as `name`; None when it is."""
    from runtime.connectors.kit import Sink, Source, missing_method

    if not isinstance(cls, type) or not issubclass(cls, (Source, Sink)):
        return ("it is not a connector class (subclass runtime.connectors.kit.Source or "
                "Sink)")
    if missing := missing_method(cls):
        return missing
    type_name = getattr(cls, "type", None)
    if not isinstance(type_name, str):
        return "the class has no `type` (its connector type name, e.g. acme-orders-source)"
    if type_name != name:
        return f"the entry point is named `{name}` but the class's type is `{type_name}`"
    if not _TYPE_NAME.match(type_name):
        return (f"type `{type_name}` is not a valid name: lowercase a-z, 0-9 and '-', at "
                "most 63 characters")
    suffix = "-source" if issubclass(cls, Source) else "-sink"
    if not type_name.endswith(suffix):
        return f"a {suffix[1:]} type's name must end in `{suffix}` (Fluvio's rule)"
    from pydantic import BaseModel

    params = getattr(cls, "Params", None)
    if not (isinstance(params, type) and issubclass(params, BaseModel)):
        return "`Params` must be a pydantic model (subclass runtime.connectors.kit.Parameters)"
    return None


@functools.cache
def discover() -> Discovery:
    from runtime.config.connector_types import CHECKED_TYPES

    classes: dict[str, tuple[type, str]] = {}
    failures: list[PluginFailure] = []
    found = _entry_points()
    for ep, dist in found:
        try:
            cls = ep.load()
        except Exception as exc:  # noqa: BLE001 - any import error is the plugin's, reported
            failures.append(PluginFailure(ep.name, ep.value, dist,
                                          f"{type(exc).__name__}: {exc}"))
            continue
        problem = check_class(cls, ep.name)
        if problem is None and ep.name in classes:
            problem = f"type `{ep.name}` is already provided by {classes[ep.name][1]}"
        if problem is None and ep.name in CHECKED_TYPES:
            problem = f"type `{ep.name}` is an official Fluvio connector Weir checks"
        if problem is not None:
            failures.append(PluginFailure(ep.name, ep.value, dist, problem))
            continue
        classes[ep.name] = (cls, dist)
    for failure in failures:
        key = (failure.name, failure.target)
        if key not in _told:
            _told.add(key)
            on_failure(failure)
    return Discovery(classes, tuple(failures),
                     frozenset((ep.name, ep.value, dist) for ep, dist in found))


def failures() -> tuple[PluginFailure, ...]:
    return discover().failures


def failure_for(type_name: str) -> PluginFailure | None:
    """The failure of a plugin meant to provide `type_name`, if one failed."""
    return next((f for f in discover().failures if f.name == type_name), None)


def reload() -> None:
    """Look again (after `weir connector install`), in this process."""
    from runtime.config import connector_types

    discover.cache_clear()
    connector_types.forget()


def refresh() -> bool:
    """Look again if plugins were installed or removed since (a long-running process: the
    cluster daemon, the workbench); True when something changed."""
    if discover.cache_info().currsize == 0:
        return False
    now = frozenset((ep.name, ep.value, dist) for ep, dist in _entry_points())
    if now == discover().seen:
        return False
    reload()
    return True


def canonical_type(name: str) -> str:
    from runtime.config.connector_types import LEGACY_TYPES

    return LEGACY_TYPES.get(name, name)


def require_runnable(type_name: str) -> None:
    """Refuse an official type Weir only checks, in the words `weir validate` uses."""
    from runtime.config import connector_types as ct

    ctype = ct.types().get(canonical_type(type_name))
    if ctype is not None and not ctype.runnable:
        raise WeirError(ct.cannot_run_message(ctype.name),
                        hint="run it on Fluvio (`fluvio cloud connector create` or `cdk "
                        "deploy start`); `weir validate` checks its config")


def connector_class(type_name: str) -> tuple[type, str]:
    """The class implementing `type_name` and whether it is a source or a sink."""
    require_runnable(type_name)
    canonical = canonical_type(type_name)
    found = discover().classes.get(canonical)
    if found is None and refresh():
        found = discover().classes.get(canonical)
    if found is None:
        failure = failure_for(canonical)
        if failure is not None:
            raise WeirError(failure.message(),
                            hint="fix the plugin, then `weir connector types` lists it")
        known = ", ".join(discover().classes)
        raise WeirError(f"no connector of type `{type_name}`",
                        hint=f"installed types: {known}; a plugin is installed with "
                        "`weir connector install PATH`")
    cls = found[0]
    return cls, cls.kind
