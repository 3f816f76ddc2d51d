"""The wheels a connector image installs from, built on the host.

Containers here cannot reach PyPI, so the host (which can, once) builds a wheelhouse:
weir's own wheel plus a wheel for every dependency, pinned to the versions installed on
the host so the container runs the same code. Both parts are cached under
`$WEIR_HOME/cache/wheelhouse/`, keyed by what they were built from.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata as metadata
import json
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from runtime.errors import EnvironmentProblem, WeirError
from runtime.home import weir_home
from runtime.launch.progress import QUIET, Progress
from runtime.private_files import make_private_dir, write_private_atomic

DIST_NAME = "weir-workbench"
PACKAGES = ("runtime", "smartmodules", "tui")
# Optional dependency groups a connector may need at run time (a `fluvio` profile needs the
# client); the image gets each one the host has installed, so it can do what the host can.
RUNTIME_EXTRAS = ("fluvio",)


@dataclass(frozen=True, slots=True)
class PythonTarget:
    """The interpreter inside the base image that the wheels must suit."""

    version: str  # "3.11"
    machine: str  # "x86_64", "aarch64"
    libc: str = "glibc"  # "glibc", "musl", or "" when unknown
    libc_version: str = ""  # "2.36"

    @classmethod
    def host(cls) -> PythonTarget:
        libc, libc_version = platform.libc_ver()
        return cls(f"{sys.version_info[0]}.{sys.version_info[1]}", platform.machine(),
                   libc or "", libc_version or "")

    @property
    def key(self) -> str:
        return f"cp{self.version.replace('.', '')}-{self.machine}-{self.libc}{self.libc_version}"

    def matches_host(self) -> bool:
        host = PythonTarget.host()
        return (self.version, self.machine, self.libc) == (host.version, host.machine, host.libc)

    def pip_platforms(self) -> list[str]:
        """Platform tags pip may pick wheels for, newest first (`pip download --platform`)."""
        arch = self.machine
        if self.libc == "musl":
            minor = _minor(self.libc_version, default=1)
            return [f"musllinux_1_{m}_{arch}" for m in range(minor, -1, -1)]
        minor = _minor(self.libc_version, default=17)
        tags = [f"manylinux_2_{m}_{arch}" for m in range(minor, 4, -1)]
        legacy = {17: "manylinux2014", 12: "manylinux2010", 5: "manylinux1"}
        tags += [f"{name}_{arch}" for m, name in legacy.items() if m <= minor]
        return tags


def _minor(version: str, default: int) -> int:
    match = re.match(r"\d+\.(\d+)", version or "")
    return int(match.group(1)) if match else default


@dataclass(frozen=True, slots=True)
class WeirSource:
    """Where weir's own code comes from: a source tree (editable install) or site-packages."""

    version: str
    root: Path | None  # the project directory when weir runs from a source tree
    requirements: tuple[str, ...]  # weir's own, plus RUNTIME_EXTRAS installed on the host
    fingerprint: str  # changes whenever the code that would go into weir's wheel changes

    @property
    def extras(self) -> tuple[str, ...]:
        """Requirements beyond weir's own, to install beside it."""
        return tuple(r for r in self.requirements if r not in self.base_requirements)

    base_requirements: tuple[str, ...] = ()


def weir_source() -> WeirSource:
    import runtime

    root = Path(runtime.__file__).resolve().parent.parent
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        project = tomllib.loads(pyproject.read_text()).get("project", {})
        if project.get("name") == DIST_NAME:
            base = tuple(project.get("dependencies", ()))
            optional = project.get("optional-dependencies", {})
            extras = [r for group in RUNTIME_EXTRAS for r in optional.get(group, ())]
            return WeirSource(
                version=str(project.get("version", "0")),
                root=root,
                requirements=base + tuple(r for r in extras if _installed_on_host(r)),
                fingerprint=_tree_fingerprint(root),
                base_requirements=base,
            )
    dist = _installed()
    record = dist.read_text("RECORD") or ""
    base, extras = [], []
    for req in dist.requires or ():
        text, _, marker = req.partition(";")
        match = re.search(r"""extra\s*==\s*['"]([^'"]+)['"]""", marker)
        if not marker.strip():
            base.append(text.strip())
        elif match and match.group(1) in RUNTIME_EXTRAS and _installed_on_host(text):
            extras.append(text.strip())
    return WeirSource(dist.version, None, tuple(base + extras),
                      hashlib.sha256(record.encode()).hexdigest(), tuple(base))


def _installed_on_host(requirement: str) -> bool:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", requirement)
    if not match:
        return False
    try:
        metadata.distribution(match.group(1))
    except metadata.PackageNotFoundError:
        return False
    return True


def _installed() -> metadata.Distribution:
    try:
        return metadata.distribution(DIST_NAME)
    except metadata.PackageNotFoundError as exc:
        raise EnvironmentProblem(
            "cannot find weir's own installation to put into the image",
            hint="install weir with pip (`pip install -e .` in a checkout)",
        ) from exc


def _tree_fingerprint(root: Path) -> str:
    digest = hashlib.sha256()
    files = [root / "pyproject.toml"]
    for package in PACKAGES:
        files += [p for p in (root / package).rglob("*")
                  if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"]
    for path in sorted(files):
        digest.update(str(path.relative_to(root)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def host_pins(exclude: Iterable[str] = (DIST_NAME,)) -> dict[str, str]:
    """name -> version of every distribution installed beside weir (first on sys.path wins)."""
    skip = {_normalize(n) for n in exclude}
    pins: dict[str, str] = {}
    for dist in metadata.distributions():
        name = dist.metadata["Name"]
        if not name:
            continue
        key = _normalize(name)
        if key not in skip and key not in pins:
            pins[key] = dist.version
    return pins


def _normalize(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def wheelhouse_dir() -> Path:
    return weir_home() / "cache" / "wheelhouse"


def dependency_wheels(source: WeirSource, target: PythonTarget,
                      progress: Progress = QUIET, also: Sequence[str] = (),
                      skip: Sequence[str] = ()) -> list[Path]:
    """Wheels for weir's dependencies (and pip, to install them with), cached per target;
    `also`: more requirements (connector plugins'), `skip`: distributions not to pin (the
    plugins themselves, whose wheels are built apart)."""
    pins = host_pins(exclude=(DIST_NAME, *skip))
    same = target.matches_host()
    # Host pins only make sense for the host's interpreter; elsewhere let pip resolve.
    constraints = sorted(f"{n}=={v}" for n, v in pins.items()) if same else []
    pip_pin = f"pip=={pins['pip']}" if same and "pip" in pins else "pip"
    wanted = [*source.requirements, *sorted(set(also)), pip_pin]
    key = hashlib.sha256(json.dumps([target.key, wanted, constraints]).encode()).hexdigest()
    dest = wheelhouse_dir() / target.key / f"deps-{key[:16]}"
    cached = _complete_wheels(dest)
    if cached is not None:
        return cached
    progress.step(f"building the wheelhouse for Python {target.version} ({target.machine}) "
                  f"in {dest}")
    tmp = Path(tempfile.mkdtemp(prefix="deps-", dir=make_private_dir(dest.parent)))
    try:
        cfile = tmp / "constraints.txt"
        write_private_atomic(cfile, "".join(c + "\n" for c in constraints))
        out = tmp / "wheels"
        if same:
            args = ["wheel", "--wheel-dir", str(out), "-c", str(cfile), *wanted]
        else:
            abi = "cp" + target.version.replace(".", "")
            args = ["download", "--dest", str(out), "--only-binary=:all:",
                    "--python-version", target.version, "--implementation", "cp", "--abi", abi]
            for tag in target.pip_platforms():
                args += ["--platform", tag]
            args += wanted
        _pip(args, what="the dependency wheels", progress=progress)
        names = sorted(p.name for p in out.iterdir() if p.suffix == ".whl")
        write_private_atomic(out / "complete.json", json.dumps(names))
        shutil.rmtree(dest, ignore_errors=True)
        out.replace(dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return [dest / name for name in names]


def _complete_wheels(dest: Path) -> list[Path] | None:
    """The wheels a finished build left in `dest`, or None when its complete.json is
    missing, damaged or names a wheel that is gone (the build then runs again)."""
    try:
        names = json.loads((dest / "complete.json").read_bytes())
    except (OSError, ValueError):
        return None
    if not isinstance(names, list) or not all(isinstance(n, str) and n.endswith(".whl")
                                              and "/" not in n for n in names):
        return None
    wheels = [dest / name for name in names]
    return wheels if all(w.is_file() for w in wheels) else None


def weir_wheel(source: WeirSource, progress: Progress = QUIET) -> Path:
    """weir's own wheel, rebuilt only when its code changed."""
    dest = wheelhouse_dir() / "weir" / source.fingerprint[:16]
    found = sorted(dest.glob("*.whl")) if dest.is_dir() else []
    if found:
        return found[0]
    tmp = Path(tempfile.mkdtemp(prefix="weir-", dir=make_private_dir(dest.parent)))
    try:
        if source.root is not None:
            progress.step(f"building weir's wheel from {source.root}")
            tree = _clean_copy(source.root, tmp / "src")
            _pip(["wheel", "--no-deps", "--wheel-dir", str(tmp / "out"), str(tree)],
                 what="weir's wheel", progress=progress)
        else:
            progress.step("packing the installed weir into a wheel")
            repack_installed(_installed(), tmp / "out")
        shutil.rmtree(dest, ignore_errors=True)
        (tmp / "out").replace(dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return sorted(dest.glob("*.whl"))[0]


def _clean_copy(root: Path, dest: Path) -> Path:
    """What goes into the wheel, copied: building in the checkout would leave a build/
    directory whose stale files (modules deleted since) end up in the next wheel."""
    dest.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md", "setup.cfg", "setup.py", "MANIFEST.in"):
        if (root / name).is_file():
            shutil.copy2(root / name, dest / name)
    junk = shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
    for package in PACKAGES:
        if (root / package).is_dir():
            shutil.copytree(root / package, dest / package, ignore=junk)
    return dest


def repack_installed(dist: metadata.Distribution, out: Path) -> Path:
    """Rebuild a wheel from an installed (non-editable) distribution: weir on a host
    without its source, or a connector plugin installed from a wheel."""
    out.mkdir(parents=True, exist_ok=True)
    version = dist.version
    stem = re.sub(r"[-_.]+", "_", dist.metadata["Name"] or DIST_NAME)
    info_dir = f"{stem}-{version}.dist-info"
    wheel = out / f"{stem}-{version}-py3-none-any.whl"
    skip = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}
    rows = []
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel in dist.files or ():
            parts = rel.parts
            if parts[0] == ".." or "__pycache__" in parts or rel.suffix == ".pyc":
                continue
            if parts[0].endswith(".dist-info"):
                if rel.name in skip:
                    continue
                arcname = "/".join((info_dir, *parts[1:]))
            else:
                arcname = "/".join(parts)
            data = Path(dist.locate_file(rel)).read_bytes()
            zf.writestr(arcname, data)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            rows.append(f"{arcname},sha256={digest.decode()},{len(data)}")
        rows.append(f"{info_dir}/RECORD,,")
        zf.writestr(f"{info_dir}/RECORD", "\n".join(rows) + "\n")
    return wheel


def wheel_set_hash(wheels: Sequence[Path]) -> str:
    """A hash of what the wheels install (their RECORDs), not of zip timestamps."""
    digest = hashlib.sha256()
    for wheel in sorted(wheels, key=lambda p: p.name):
        digest.update(wheel.name.encode() + b"\0")
        with zipfile.ZipFile(wheel) as zf:
            records = [n for n in zf.namelist() if n.endswith(".dist-info/RECORD")]
            digest.update(zf.read(records[0]) if records else wheel.read_bytes())
    return digest.hexdigest()


def _pip(args: list[str], *, what: str, progress: Progress = QUIET) -> None:
    """Run pip, reporting each wheel it saves; a cancel kills it (the caller removes its
    temporary directory, so nothing half-built is kept)."""
    cmd = [sys.executable, "-m", "pip", "--disable-pip-version-check", *args]
    with tempfile.TemporaryFile() as err:
        try:
            # umask: what pip writes under $WEIR_HOME is private like the rest of it
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err, text=True,
                                    umask=0o077)
        except FileNotFoundError as exc:  # pragma: no cover - sys.executable always exists
            raise EnvironmentProblem(f"cannot run pip to build {what}: {exc}") from exc
        with proc:
            saved = 0
            try:
                for line in _lines(proc, progress):
                    wheel = _wheel_named(line)
                    if wheel:
                        saved += 1
                        progress.step(f"{what}: {saved} saved, last {wheel}", detail=True)
            except BaseException:
                proc.kill()
                raise
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    if proc.returncode != 0:
        progress.check()  # pip killed by the same Ctrl-C that cancelled: say cancelled
        noise = ("is ignored: it is neither a file nor a directory",)
        problems = [ln for ln in stderr.splitlines() if ln.strip() and
                    not any(n in ln for n in noise)]
        tail = "\n  ".join(problems[-8:]) or f"pip exited with {proc.returncode}"
        raise WeirError(
            f"building {what} for the connector image failed:\n  {tail}",
            hint="the host needs pip and access to PyPI (or a local index) the first time; "
            "the wheels are cached after that",
        )


def _wheel_named(line: str) -> str | None:
    """The wheel a pip output line says it saved (downloaded) or created (built)."""
    text = line.strip()
    if text.startswith("Saved "):
        return Path(text.split()[-1]).name
    if text.startswith("Created wheel for ") and "filename=" in text:
        return text.split("filename=", 1)[1].split()[0]
    return None


def _lines(proc: subprocess.Popen, progress: Progress, timeout_s: float = 1800):
    """The process's output lines, read in a thread so that waiting for the next one
    still checks for a cancel every 0.2 s."""
    import queue
    import threading
    import time

    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        try:
            for line in proc.stdout:
                lines.put(line.rstrip("\n"))
        finally:
            lines.put(None)

    threading.Thread(target=read, daemon=True, name="pip-output").start()
    deadline = time.monotonic() + timeout_s
    while True:
        progress.check()
        if time.monotonic() > deadline:
            raise WeirError(f"pip did not finish in {timeout_s:.0f}s")
        try:
            line = lines.get(timeout=0.2)
        except queue.Empty:
            continue
        if line is None:
            return
        yield line

