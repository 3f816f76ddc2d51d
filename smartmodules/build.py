"""`weir smartmodule build`: cargo build for wasm32-unknown-unknown, cargo's output streamed
as it comes, then the .wasm found and measured.

The artifact is located from what cargo itself says (`cargo metadata`: the target directory
and the library's name), so CARGO_TARGET_DIR, workspaces and renamed libs work. Errors we can
explain (missing target, missing linker, no network for crates.io) get an actionable message
instead of cargo's raw one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import tomllib
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from runtime.errors import EnvironmentProblem, WeirError
from smartmodules.toolchain import HINT_ADD_TARGET, WASM_TARGET, Toolchain, find_toolchain

OutputFn = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class CrateInfo:
    """What we need to know about a SmartModule crate before building it."""

    path: Path  # the directory holding Cargo.toml
    package: str
    lib_name: str  # the artifact's stem: [lib] name, or the package name with '-' -> '_'
    crate_types: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BuildResult:
    crate: CrateInfo
    artifact: Path
    size: int
    profile: str  # "release" or "debug"
    toolchain: Toolchain
    seconds: float


def find_crate(path: str | Path | None = None) -> Path:
    """The crate directory for PATH: a directory with Cargo.toml, a Cargo.toml, or any path
    inside a crate (we walk up, as cargo does)."""
    start = Path(path) if path is not None else Path.cwd()
    if not start.exists():
        raise EnvironmentProblem(f"{start}: no such file or directory",
                                 hint="give the directory of a SmartModule crate (with Cargo.toml)")
    if start.is_file():
        if start.name == "Cargo.toml":
            return start.parent.resolve()
        start = start.parent
    current = start.resolve()
    for directory in (current, *current.parents):
        if (directory / "Cargo.toml").is_file():
            return directory
    raise EnvironmentProblem(
        f"{start}: no Cargo.toml here or in any parent directory",
        hint="create a crate with `weir smartmodule generate NAME --kind map --sdk none`",
    )


def read_crate(crate_dir: Path) -> CrateInfo:
    """Package and lib name from Cargo.toml, with errors that name the file and field."""
    manifest = crate_dir / "Cargo.toml"
    try:
        data = tomllib.loads(manifest.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise WeirError(f"{manifest}: invalid TOML: {exc}") from exc
    except OSError as exc:
        raise EnvironmentProblem(f"{manifest}: cannot read: {exc.strerror or exc}") from exc
    package = data.get("package")
    if not isinstance(package, dict) or not isinstance(package.get("name"), str):
        raise WeirError(f"{manifest}: missing [package] name",
                        hint='a SmartModule crate needs [package] with name = "my-module"')
    lib = data.get("lib") if isinstance(data.get("lib"), dict) else {}
    name = lib.get("name") if isinstance(lib.get("name"), str) else package["name"]
    crate_types = lib.get("crate-type", lib.get("crate_type", []))
    if not isinstance(crate_types, list):
        crate_types = []
    return CrateInfo(path=crate_dir, package=package["name"], lib_name=name.replace("-", "_"),
                     crate_types=tuple(str(t) for t in crate_types))


def target_directory(crate: CrateInfo, toolchain: Toolchain, env: dict[str, str]) -> Path:
    """Where cargo puts build output: `cargo metadata` knows (workspaces, config files,
    CARGO_TARGET_DIR); fall back to the usual places if it cannot answer."""
    try:
        done = subprocess.run(
            [str(toolchain.cargo), "metadata", "--format-version", "1", "--no-deps"],
            cwd=crate.path, env=env, capture_output=True, text=True, timeout=120)
        if done.returncode == 0:
            return Path(json.loads(done.stdout)["target_directory"])
    except (OSError, subprocess.TimeoutExpired, ValueError, KeyError):
        pass
    if env.get("CARGO_TARGET_DIR"):
        return Path(env["CARGO_TARGET_DIR"]).resolve()
    return crate.path / "target"


def artifact_path(target_dir: Path, crate: CrateInfo, profile: str) -> Path:
    return target_dir / WASM_TARGET / profile / f"{crate.lib_name}.wasm"


def _explain_failure(lines: list[str], crate: CrateInfo, code: int) -> WeirError:
    """Turn cargo's failure into a message a user can act on."""
    text = "\n".join(lines)
    if "can't find crate for `std`" in text or "can't find crate for `core`" in text \
            or "target may not be installed" in text:
        return EnvironmentProblem(f"the Rust toolchain has no {WASM_TARGET} standard library",
                                  hint=HINT_ADD_TARGET)
    if "linker `rust-lld` not found" in text or "linker `wasm-ld` not found" in text \
            or ("error: linker" in text and "not found" in text):
        return EnvironmentProblem("the wasm linker (lld) is missing",
                                  hint="on Debian/Ubuntu: `apt-get install lld-14` "
                                       "(rustup toolchains ship their own rust-lld)")
    offline_markers = ("failed to get `", "failed to download", "Couldn't resolve host",
                       "failed to query replaced source registry", "no matching package named",
                       "failed to load source for dependency")
    if any(marker in text for marker in offline_markers):
        return EnvironmentProblem(
            f"cargo could not fetch the dependencies of {crate.package}",
            hint="this crate needs crates.io (e.g. fluvio-smartmodule); without network, "
                 "generate it with `--sdk none`, which has no dependencies",
        )
    errors = sum(1 for line in lines if line.startswith("error")
                 and not line.startswith(("error: could not compile", "error: aborting")))
    return WeirError(
        f"cargo build failed for {crate.package} (exit {code}"
        + (f", {errors} error message{'s' if errors != 1 else ''}" if errors else "") + ")",
        hint="fix the errors shown above and build again",
    )


def _stderr_writer(line: str) -> None:
    sys.stderr.write(line)
    sys.stderr.flush()


def build_crate(path: str | Path | None = None, *, release: bool = True,
                toolchain: Toolchain | None = None, output: OutputFn | None = None,
                env: dict[str, str] | None = None, color: bool | None = None) -> BuildResult:
    """Build the crate at `path` for wasm32-unknown-unknown; cargo's output goes to `output`
    (stderr by default) line by line as it is produced.

    Raises EnvironmentProblem (exit 2) for a missing toolchain, target or linker, and
    WeirError (exit 1) for a compile error.
    """
    crate_dir = find_crate(path)
    crate = read_crate(crate_dir)
    base_env = dict(os.environ if env is None else env)
    if "cdylib" not in crate.crate_types:
        current = list(crate.crate_types) or ["lib"]
        raise WeirError(
            f"{crate_dir / 'Cargo.toml'}: [lib] crate-type is {current}: "
            "no .wasm module would be produced",
            hint='set crate-type = ["cdylib"] under [lib]',
        )
    if toolchain is None:
        toolchain = find_toolchain(cwd=crate_dir, env=base_env)
    write = output or _stderr_writer
    if color is None:
        color = output is None and sys.stderr.isatty()
    cargo_env = toolchain.env(base_env)
    profile = "release" if release else "debug"
    command = [str(toolchain.cargo), "build", "--lib", "--target", WASM_TARGET,
               "--color", "always" if color else "never"]
    if release:
        command.append("--release")
    started = time.monotonic()
    tail: deque[str] = deque(maxlen=400)
    try:
        process = subprocess.Popen(command, cwd=crate_dir, env=cargo_env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                   stdin=subprocess.DEVNULL, text=True, errors="replace",
                                   bufsize=1)
    except OSError as exc:
        raise EnvironmentProblem(f"cannot run {toolchain.cargo}: {exc.strerror or exc}") from exc
    assert process.stdout is not None
    try:
        for line in process.stdout:
            tail.append(line.rstrip("\n"))
            write(line)
        code = process.wait()
    except BaseException:
        process.kill()
        process.wait()
        raise
    seconds = time.monotonic() - started
    if code != 0:
        raise _explain_failure(list(tail), crate, code)
    artifact = artifact_path(target_directory(crate, toolchain, cargo_env), crate, profile)
    if not artifact.is_file():
        raise WeirError(f"cargo succeeded but {artifact} is missing",
                        hint='check that Cargo.toml has crate-type = ["cdylib"] under [lib]')
    return BuildResult(crate=crate, artifact=artifact, size=artifact.stat().st_size,
                       profile=profile, toolchain=toolchain, seconds=seconds)


