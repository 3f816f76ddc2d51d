"""`weir smartmodule generate`: write a SmartModule crate from the templates shipped as
package data in smartmodules/templates/ (one folder per SDK, one lib.rs per kind).

The `fluvio` SDK depends on the `fluvio-smartmodule` crate like Fluvio's own template; the
`none` SDK copies the ABI glue (src/smartmodule.rs) into the crate so it builds offline with
Debian's rustc 1.63. Both give the user the same shape of code: a function taking a record
and returning a Result.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from runtime.errors import WeirError

KINDS = ("filter", "map", "filter-map", "array-map", "aggregate")
SDKS = ("fluvio", "none")

# Cargo's rule for package names, and names cargo or rustc refuse for a library crate.
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
_RESERVED = {"test", "core", "std", "alloc", "proc_macro", "proc-macro", "self", "super",
             "crate", "build", "deps", "examples", "incremental"}

# What each kind's template does with its param, for the README's `weir smartmodule test`.
_PARAM_EXAMPLE = {
    "filter": " -e key=a",
    "map": " -e factor=3",
    "filter-map": " -e divisor=3",
    "array-map": " -e 'separator=;'",
    "aggregate": " -e weight=2",
}

# Sample inputs (one record per line) for `weir smartmodule dev --file samples.txt`.
_SAMPLES = {
    "filter": "apple\nberry\nbanana\ncherry\n",
    "map": "1\n2\n21\n",
    "filter-map": "4\n7\n10\n",
    "array-map": "red, green, blue\none,two\n",
    "aggregate": "1\n2\n3\n4\n",
}


@dataclass(frozen=True, slots=True)
class GeneratedCrate:
    """Where a crate was written and what it holds (paths relative to `path`)."""

    path: Path
    name: str
    kind: str
    sdk: str
    with_params: bool
    files: list[str] = field(default_factory=list)

    @property
    def crate_name(self) -> str:
        return self.name.replace("-", "_")

    @property
    def params_example(self) -> str:
        """` -e key=value` flags for the params its init reads, or "" without params."""
        return _PARAM_EXAMPLE[self.kind] if self.with_params else ""

    @property
    def artifact(self) -> Path:
        """The .wasm that `weir smartmodule build` produces for this crate."""
        return self.path / "target" / "wasm32-unknown-unknown" / "release" / (
            self.crate_name + ".wasm")


def check_crate_name(name: str) -> None:
    """Refuse a name that registration (`weir smartmodule create`/`build --register`) or
    cargo would refuse later, before anything is written, saying what a valid one is."""
    from runtime.config.names import InvalidName, validate_name

    if "/" in name or "@" in name:
        base = name.partition("@")[0].rpartition("/")[2] or "my-module"
        raise InvalidName(
            f"invalid SmartModule name `{name}`: a crate takes a plain name",
            hint=f"generate `{base}`, then register it under any group/name@version with "
                 f"`weir smartmodule build --register {name}`")
    validate_name("smartmodule", name)  # the registry's rule: a-z, 0-9, '-', at most 63
    if not _NAME.match(name) or name.lower() in _RESERVED:
        raise WeirError(
            f"invalid SmartModule name {name!r}",
            hint="use a letter, then letters, digits, '-' or '_' (at most 64), e.g. catfact-map;"
                 " not a reserved name like test, std or core",
        )


def render(text: str, values: dict[str, str], *, with_params: bool) -> str:
    """`{{key}}` substitutions plus `{{#params}}...{{/params}}` (kept only with params) and
    `{{^params}}...{{/params}}` (kept only without)."""
    def section(match: re.Match[str]) -> str:
        keep = (match.group(1) == "#") == with_params
        return match.group(2) if keep else ""

    text = re.sub(r"\{\{([#^])params\}\}(.*?)\{\{/params\}\}", section, text, flags=re.S)
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def _template_root():
    return resources.files("smartmodules") / "templates"


def template_files(sdk: str, kind: str) -> dict[str, str]:
    """Destination path -> template text for one SDK and kind."""
    root = _template_root() / sdk
    files = {
        "Cargo.toml": (root / "Cargo.toml").read_text(encoding="utf-8"),
        ".cargo/config.toml": (root / "dot-cargo" / "config.toml").read_text(encoding="utf-8"),
        ".gitignore": (root / "dot-gitignore").read_text(encoding="utf-8"),
        "README.md": (root / "README.md").read_text(encoding="utf-8"),
        "src/lib.rs": (root / "lib" / f"{kind}.rs").read_text(encoding="utf-8"),
    }
    if sdk == "none":
        files["src/smartmodule.rs"] = glue_source()
    return files


def glue_source() -> str:
    """The dependency-free ABI glue every `--sdk none` crate carries as src/smartmodule.rs."""
    return (_template_root() / "none" / "src" / "smartmodule.rs").read_text(encoding="utf-8")


def generate_crate(name: str, kind: str, *, sdk: str = "fluvio", with_params: bool = False,
                   directory: Path | None = None) -> GeneratedCrate:
    """Write a new crate into `directory` (default ./NAME); refuses a non-empty directory so
    nothing of the user's is overwritten."""
    check_crate_name(name)
    if kind not in KINDS:
        raise WeirError(f"unknown SmartModule kind {kind!r}",
                        hint="valid kinds: " + ", ".join(KINDS))
    if sdk not in SDKS:
        raise WeirError(f"unknown SDK {sdk!r}", hint="valid: fluvio (needs crates.io) or none")
    target = Path(directory) if directory is not None else Path.cwd() / name
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise WeirError(f"{target} already exists and is not empty",
                        hint="choose another name or -o DIR; nothing was written")
    values = {
        "name": name,
        "crate_name": name.replace("-", "_"),
        "kind": kind,
        "params_example": _PARAM_EXAMPLE[kind] if with_params else "",
    }
    written: list[str] = []
    rendered = {rel: render(text, values, with_params=with_params)
                for rel, text in template_files(sdk, kind).items()}
    rendered["samples.txt"] = _SAMPLES[kind]
    try:
        for rel, text in rendered.items():
            dest = target / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(text, encoding="utf-8")
            written.append(rel)
    except OSError as exc:
        raise WeirError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return GeneratedCrate(path=target, name=name, kind=kind, sdk=sdk, with_params=with_params,
                          files=written)
