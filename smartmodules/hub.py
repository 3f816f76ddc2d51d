"""SmartModules from Fluvio's public Hub: fetching a package and reading it.

A Hub package (`.ipkg`) is a tar holding `package-meta.yaml` (group, name, version, the
manifest's file names), `manifest.tar.gz` (those files: a `SmartModule.toml` and the
`.wasm`) and `signature.N` files (JSON: per top-level file its length, SHA-512 and an
Ed25519 signature). The download is two requests, as Fluvio's hub client makes them: an
action token (`POST /hub/v0/action {"act": "dl"}`), then the package
(`GET /hub/v0/pkg/pub/GROUP/NAME/VERSION` with the token as Authorization).

Checks, as the Hub client's install makes them: the metadata names the package asked
for, the manifest holds every file it lists, a SmartModule.toml whose [package] agrees,
and a `.wasm` that loads as a SmartModule (the registry checks that). Beyond it: each
file's length and SHA-512 in the signature files must match. Signatures themselves are
not verified (the Hub client's download does not either, and it would need an Ed25519
library).
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import os
import re
import tarfile
import tomllib
from dataclasses import dataclass
from typing import Any

from runtime.errors import EnvironmentProblem, NotFound, WeirError

HUB_REMOTE = "https://hub.infinyon.cloud"
REMOTE_ENV = "INFINYON_HUB_REMOTE"  # the variable Fluvio's hub client reads too
META = "package-meta.yaml"
MANIFEST = "manifest.tar.gz"
TIMEOUT_S = 20.0
MAX_PACKAGE_BYTES = 256 * 1024 * 1024
_PART = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_VERSION = re.compile(r"^v?\d+\.\d+\.\d+(?:[-+][0-9A-Za-z.-]+)?$")


class PackageInvalid(WeirError):
    """The package file is not a SmartModule package the Hub would serve."""


@dataclass(frozen=True, slots=True)
class PackageName:
    group: str
    name: str
    version: str

    def __str__(self) -> str:
        return f"{self.group}/{self.name}@{self.version}"

    @property
    def file_name(self) -> str:
        """What Fluvio's CLI names the downloaded file."""
        return f"{self.group}-{self.name}-{self.version}.ipkg"


@dataclass(frozen=True, slots=True)
class HubPackage:
    name: PackageName
    meta: dict[str, Any]  # package-meta.yaml
    smartmodule: dict[str, Any]  # SmartModule.toml
    wasm: bytes
    wasm_file: str


def parse_name(text: str) -> PackageName:
    """`GROUP/NAME@VERSION`, as the Hub names packages (e.g. infinyon/jolt@0.4.1)."""
    group, slash, rest = text.partition("/")
    name, at, version = rest.partition("@")
    if not slash or not at or not _PART.match(group) or not _PART.match(name) or not (
            _VERSION.match(version)):
        raise WeirError(f"`{text}` is not a Hub package name",
                        hint="write GROUP/NAME@VERSION, e.g. infinyon/jolt@0.4.1")
    return PackageName(group, name, version)


def remote() -> str:
    return (os.environ.get(REMOTE_ENV) or HUB_REMOTE).rstrip("/")


def download(name: PackageName, hub: str | None = None) -> bytes:
    """The package's bytes from the Hub; EnvironmentProblem (exit 2) when it cannot be
    reached, NotFound when it has no such package."""
    import httpx

    hub = hub or remote()
    try:
        with httpx.Client(timeout=TIMEOUT_S, follow_redirects=True) as client:
            token = client.post(f"{hub}/hub/v0/action", json={"act": "dl"})
            if token.status_code != 200:
                raise _refused(token, hub, "an action token")
            url = f"{hub}/hub/v0/pkg/pub/{name.group}/{name.name}/{name.version}"
            with client.stream("GET", url, headers={"Authorization": token.text}) as reply:
                if reply.status_code == 404:
                    raise NotFound(f"the Hub has no package {name}",
                                   hint="check the group, name and version on the Hub's "
                                   "list of SmartModules")
                if reply.status_code != 200:
                    reply.read()
                    raise _refused(reply, hub, f"package {name}")
                data = bytearray()
                for chunk in reply.iter_bytes():
                    data += chunk
                    if len(data) > MAX_PACKAGE_BYTES:
                        raise PackageInvalid(f"package {name} is over "
                                             f"{MAX_PACKAGE_BYTES // 2**20} MB; not a "
                                             "SmartModule package")
                return bytes(data)
    except httpx.HTTPError as exc:
        reason = str(exc) or type(exc).__name__
        raise EnvironmentProblem(f"cannot reach the Hub at {hub}: {reason}",
                                 hint=f"check the network (or {REMOTE_ENV}); a package file "
                                 "you have is installed with --ipkg FILE") from None


def _refused(reply, hub: str, what: str) -> WeirError:
    text = reply.text.strip()[:200]
    if reply.status_code == 401:
        return WeirError(f"the Hub at {hub} refused {what}: unauthorized",
                         hint="public packages need no login; a private one needs "
                         "`fluvio cloud login` and Fluvio's own CLI")
    return WeirError(f"the Hub at {hub} answered {reply.status_code} for {what}"
                     + (f": {text}" if text else ""))


def read_package(data: bytes, source: str, expect: PackageName | None = None) -> HubPackage:
    """Read and check a package file's bytes (see the module docstring)."""
    top = _members(data, source, gz=False)
    if META not in top:
        raise PackageInvalid(f"{source}: no {META} in the package",
                             hint="is it a Hub package (.ipkg)?")
    meta = _meta(top[META], source)
    name = PackageName(meta["group"], meta["name"], meta["version"])
    if expect is not None and (name.group, name.name, name.version.lstrip("v")) != (
            expect.group, expect.name, expect.version.lstrip("v")):
        raise PackageInvalid(f"{source}: the package is {name}, not {expect}")
    _check_signature_files(top, source)
    if MANIFEST not in top:
        raise PackageInvalid(f"{source}: no {MANIFEST} in the package")
    files = _members(top[MANIFEST], f"{source}: {MANIFEST}", gz=True)
    missing = [f for f in meta["manifest"] if f not in files]
    if missing:
        raise PackageInvalid(f"{source}: the manifest lists `{missing[0]}`, which the "
                             "package does not hold")
    tomls = [f for f in meta["manifest"] if f.endswith(".toml")]
    wasms = [f for f in meta["manifest"] if f.endswith(".wasm")]
    if not tomls:
        raise PackageInvalid(f"{source}: no SmartModule toml in the package's manifest")
    if not wasms:
        raise PackageInvalid(f"{source}: no .wasm file in the package's manifest")
    smartmodule = _smartmodule_toml(files[tomls[0]], f"{source}: {tomls[0]}", name)
    return HubPackage(name, meta, smartmodule, files[wasms[0]], wasms[0])


def _members(data: bytes, source: str, *, gz: bool) -> dict[str, bytes]:
    """Regular files of a tar (gzip-compressed with `gz`) by name; nothing is written."""
    try:
        raw = gzip.decompress(data) if gz else data
        with tarfile.open(fileobj=io.BytesIO(raw), mode="r:") as tar:
            out = {}
            for member in tar.getmembers():
                if member.isfile():
                    handle = tar.extractfile(member)
                    out[member.name.removeprefix("./")] = handle.read() if handle else b""
            return out
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise PackageInvalid(f"{source}: not a readable "
                             f"{'gzip-compressed tar' if gz else 'package (tar)'}: {exc}",
                             hint="download it again; a Hub package is a .ipkg file") from None


def _meta(data: bytes, source: str) -> dict[str, Any]:
    import yaml

    try:
        meta = yaml.safe_load(data)
    except yaml.YAMLError as exc:
        raise PackageInvalid(f"{source}: {META} is not YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise PackageInvalid(f"{source}: {META} is not a mapping")
    for key in ("package_format_version", "group", "name", "version", "manifest"):
        if key not in meta:
            raise PackageInvalid(f"{source}: {META} has no `{key}`")
    if not isinstance(meta["manifest"], list) or not all(
            isinstance(f, str) for f in meta["manifest"]):
        raise PackageInvalid(f"{source}: {META}: `manifest` must be a list of file names")
    for key in ("group", "name", "version"):
        meta[key] = str(meta[key])
    return meta


def _check_signature_files(top: dict[str, bytes], source: str) -> None:
    """Every file a `signature.N` lists must be in the package with that length and
    SHA-512."""
    for sig_name in sorted(n for n in top if n.startswith("signature")):
        try:
            sig = json.loads(top[sig_name])
            entries = sig["files"]
        except (ValueError, KeyError, TypeError):
            raise PackageInvalid(f"{source}: {sig_name} is not a package signature") from None
        for entry in entries:
            name = entry.get("name")
            if name not in top:
                raise PackageInvalid(f"{source}: {sig_name} signs `{name}`, which the "
                                     "package does not hold")
            body = top[name]
            if entry.get("len") != len(body) or entry.get("hash") != hashlib.sha512(
                    body).hexdigest():
                raise PackageInvalid(f"{source}: `{name}` does not match its length and "
                                     f"SHA-512 in {sig_name}: the package is damaged",
                                     hint="download it again")


def _smartmodule_toml(data: bytes, source: str, name: PackageName) -> dict[str, Any]:
    try:
        doc = tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PackageInvalid(f"{source}: not TOML: {exc}") from None
    package = doc.get("package")
    if not isinstance(package, dict):
        raise PackageInvalid(f"{source}: no [package] table")
    declared = (str(package.get("group")), str(package.get("name")),
                str(package.get("version")).lstrip("v"))
    if declared != (name.group, name.name, name.version.lstrip("v")):
        raise PackageInvalid(f"{source}: [package] is {declared[0]}/{declared[1]}@"
                             f"{declared[2]}, but the package is {name}")
    return doc


def registration_note(uses: str, registered: set[str], profile: str) -> tuple[str, str] | None:
    """For `weir validate`: a `uses:` naming a module this profile has not registered,
    with the command that would fetch or build it; None for a registered name or a path."""
    if uses.endswith(".wasm") or uses.count("/") > 1 or uses.startswith((".", "/", "~")):
        return None
    if uses in registered:
        return None
    message = f"SmartModule `{uses}` is not registered in profile `{profile}`"
    try:
        parse_name(uses)
    except WeirError:
        return message, (f"build and register it: `weir smartmodule build CRATE --register "
                         f"{uses}`, or `weir smartmodule create {uses} --wasm-file FILE`")
    return message, (f"fetch it from the Hub: `weir smartmodule download {uses}`, or build "
                     f"your own: `weir smartmodule build CRATE --register {uses}`")
