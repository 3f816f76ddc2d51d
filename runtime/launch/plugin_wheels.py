"""Connector plugins in the Docker image: a wheel for each one installed on the host.

A plugin is a distribution with `weir.connectors` entry points. Installed editable (`weir
connector install`), its wheel is built from its source directory, again only when a file
there changed; installed from a wheel, the installed files are packed back into one. Its
own requirements join the dependency wheelhouse, so the image installs everything offline.
"""

from __future__ import annotations

import hashlib
import importlib.metadata as metadata
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from runtime.launch.progress import QUIET, Progress
from runtime.launch.wheelhouse import DIST_NAME, _normalize, _pip, repack_installed, wheelhouse_dir
from runtime.private_files import make_private_dir

GROUP = "weir.connectors"
_SKIP_DIRS = {"__pycache__", ".git", "build", "dist", ".venv", ".pytest_cache"}


@dataclass(frozen=True, slots=True)
class Plugin:
    name: str
    version: str
    source: Path | None  # its project directory when installed editable
    requirements: tuple[str, ...]
    fingerprint: str  # changes when what would go into its wheel changes

    @property
    def pin(self) -> str:
        return f"{self.name}=={self.version}"


def installed_plugins() -> list[Plugin]:
    """Every distribution besides Weir that declares connector types, first on the path."""
    found: dict[str, Plugin] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if not name or _normalize(name) in found or _normalize(name) == _normalize(DIST_NAME):
            continue
        if not any(ep.group == GROUP for ep in dist.entry_points):
            continue
        source = _editable_source(dist)
        requirements = tuple(r.partition(";")[0].strip() for r in dist.requires or ()
                             if not r.partition(";")[2].strip())
        found[_normalize(name)] = Plugin(name, dist.version, source, requirements,
                                         _fingerprint(dist, source))
    return sorted(found.values(), key=lambda p: p.name)


def _editable_source(dist: metadata.Distribution) -> Path | None:
    try:
        info = json.loads(dist.read_text("direct_url.json") or "null")
    except ValueError:
        return None
    if not isinstance(info, dict) or not (info.get("dir_info") or {}).get("editable"):
        return None
    url = urlsplit(info.get("url", ""))
    return Path(unquote(url.path)) if url.scheme == "file" else None


def _fingerprint(dist: metadata.Distribution, source: Path | None) -> str:
    digest = hashlib.sha256(f"{dist.metadata['Name']} {dist.version}".encode())
    if source is None:
        digest.update((dist.read_text("RECORD") or "").encode())
        return digest.hexdigest()
    for path in sorted(p for p in source.rglob("*") if p.is_file()
                       and not _SKIP_DIRS.intersection(p.relative_to(source).parts)
                       and not any(part.endswith(".egg-info") for part in p.parts)
                       and p.suffix != ".pyc"):
        digest.update(str(path.relative_to(source)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def plugin_wheel(plugin: Plugin, progress: Progress = QUIET) -> Path:
    """The plugin's wheel, built once per fingerprint under the wheelhouse."""
    dest = wheelhouse_dir() / "plugins" / _normalize(plugin.name) / plugin.fingerprint[:16]
    found = sorted(dest.glob("*.whl")) if dest.is_dir() else []
    if found:
        return found[0]
    tmp = Path(tempfile.mkdtemp(prefix="plugin-", dir=make_private_dir(dest.parent)))
    try:
        if plugin.source is not None:
            progress.step(f"building the wheel of connector plugin {plugin.name} from "
                          f"{plugin.source}")
            tree = tmp / "src"
            shutil.copytree(plugin.source, tree, ignore=shutil.ignore_patterns(
                *_SKIP_DIRS, "*.egg-info", "*.pyc"))
            _pip(["wheel", "--no-deps", *_offline_build(), "--wheel-dir", str(tmp / "out"),
                  str(tree)], what=f"the wheel of {plugin.name}", progress=progress)
        else:
            progress.step(f"packing the installed connector plugin {plugin.name} into a wheel")
            repack_installed(metadata.distribution(plugin.name), tmp / "out")
        shutil.rmtree(dest, ignore_errors=True)
        (tmp / "out").replace(dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return sorted(dest.glob("*.whl"))[0]


def _offline_build() -> list[str]:
    """--no-build-isolation when this environment can build the wheel by itself."""
    try:
        import setuptools
        import wheel  # noqa: F401
    except ImportError:
        return []
    return ["--no-build-isolation"] if int(setuptools.__version__.split(".")[0]) >= 64 else []
