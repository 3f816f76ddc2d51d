"""Finding a Rust toolchain that can build SmartModules: a cargo and a rustc whose sysroot
has the `wasm32-unknown-unknown` standard library.

A machine often has two: rustup's in ~/.cargo/bin (frequently without the wasm target) and
Debian's in /usr/bin (with `libstd-rust-dev-wasm32`). We look at every cargo on PATH, in
PATH order, pair it with the rustc beside it, and take the first whose sysroot has the
target, so a build works without the user choosing; when none has it we say how to add it.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, replace
from pathlib import Path

from runtime.errors import EnvironmentProblem

WASM_TARGET = "wasm32-unknown-unknown"

HINT_ADD_TARGET = (
    f"with rustup: `rustup target add {WASM_TARGET}`; on Debian/Ubuntu: "
    "`apt-get install rustc cargo libstd-rust-dev-wasm32 lld-14`"
)
HINT_INSTALL = (
    "install Rust with the wasm target: rustup (https://rustup.rs) then "
    f"`rustup target add {WASM_TARGET}`, or on Debian/Ubuntu "
    "`apt-get install rustc cargo libstd-rust-dev-wasm32 lld-14`"
)


@dataclass(frozen=True, slots=True)
class Toolchain:
    """A cargo/rustc pair and what it can build."""

    cargo: Path
    rustc: Path
    sysroot: Path | None
    version: str  # `rustc --version`, e.g. "rustc 1.63.0"
    has_wasm_target: bool
    skipped: tuple[str, ...] = ()  # toolchains earlier on PATH without the wasm target

    def env(self, base: dict[str, str] | None = None) -> dict[str, str]:
        """The environment for cargo: this toolchain's directory first on PATH (so its
        linker and rustdoc are found) and RUSTC pointing at its rustc."""
        env = dict(os.environ if base is None else base)
        env["PATH"] = os.pathsep.join([str(self.cargo.parent), env.get("PATH", "")])
        env["RUSTC"] = str(self.rustc)
        return env

    def describe(self) -> str:
        return f"{self.cargo} ({self.version})"


def _executables(name: str, path: str) -> list[Path]:
    """Every `name` on PATH, in order, without duplicates (by resolved file)."""
    found: list[Path] = []
    seen: set[Path] = set()
    for entry in path.split(os.pathsep):
        if not entry:
            continue
        candidate = Path(entry) / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            real = candidate.resolve()
            # rustup proxies all resolve to the rustup binary: tell them apart by location.
            key = candidate if real.name.startswith("rustup") else real
            if key not in seen:
                seen.add(key)
                found.append(candidate)
    return found


def _probe(cargo: Path, rustc: Path, *, cwd: Path | None, env: dict[str, str]) -> Toolchain | None:
    """Ask rustc for its version and sysroot (in the crate's directory, so a
    rust-toolchain.toml there is honoured); None if it does not run."""
    probe_env = dict(env)
    probe_env["PATH"] = os.pathsep.join([str(rustc.parent), env.get("PATH", "")])
    try:
        version = subprocess.run([str(rustc), "--version"], capture_output=True, text=True,
                                 timeout=60, cwd=cwd, env=probe_env)
        sysroot = subprocess.run([str(rustc), "--print", "sysroot"], capture_output=True,
                                 text=True, timeout=60, cwd=cwd, env=probe_env)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if version.returncode != 0 or sysroot.returncode != 0:
        return None
    root = Path(sysroot.stdout.strip())
    has_target = (root / "lib" / "rustlib" / WASM_TARGET / "lib").is_dir()
    return Toolchain(cargo=cargo, rustc=rustc, sysroot=root,
                     version=" ".join(version.stdout.split()[:2]), has_wasm_target=has_target)


def candidates(*, cwd: Path | None = None, env: dict[str, str] | None = None) -> list[Toolchain]:
    """Every working cargo/rustc pair on PATH, in PATH order."""
    env = dict(os.environ if env is None else env)
    path = env.get("PATH", "")
    rustcs = _executables("rustc", path)
    found: list[Toolchain] = []
    for cargo in _executables("cargo", path):
        beside = cargo.parent / "rustc"
        rustc = beside if beside.is_file() else (rustcs[0] if rustcs else None)
        if rustc is None:
            continue
        probed = _probe(cargo, rustc, cwd=cwd, env=env)
        if probed is not None:
            found.append(probed)
    return found


def find_toolchain(*, cwd: Path | None = None, env: dict[str, str] | None = None) -> Toolchain:
    """The first toolchain on PATH that can build for wasm32-unknown-unknown.

    Raises EnvironmentProblem (exit 2) with the command that fixes it when there is no cargo
    or no toolchain with the target.
    """
    env = dict(os.environ if env is None else env)
    found = candidates(cwd=cwd, env=env)
    for index, toolchain in enumerate(found):
        if toolchain.has_wasm_target:
            skipped = tuple(f"{t.rustc} ({t.version})" for t in found[:index])
            return replace(toolchain, skipped=skipped)
    if not found:
        hint = HINT_INSTALL
        rustup_home = Path(env.get("CARGO_HOME", Path.home() / ".cargo")) / "bin" / "cargo"
        if rustup_home.is_file():
            hint = f"cargo is installed in {rustup_home.parent}: add that directory to PATH"
        raise EnvironmentProblem("cargo was not found on PATH: a Rust toolchain is needed to "
                                 "build SmartModules", hint=hint)
    checked = "; ".join(f"{t.rustc} ({t.version})" for t in found)
    raise EnvironmentProblem(
        f"no Rust toolchain on PATH has the {WASM_TARGET} target (checked: {checked})",
        hint=HINT_ADD_TARGET,
    )
