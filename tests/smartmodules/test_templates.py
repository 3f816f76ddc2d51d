"""`weir smartmodule generate`: every kind and SDK renders to a complete crate; names and
existing directories are checked; the examples carry the same ABI glue as the template."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from runtime.errors import WeirError
from smartmodules.templates import KINDS, SDKS, generate_crate, glue_source, render
from tests.conftest import REPO, run_weir

EXPORT = {"filter": "filter", "map": "map", "filter-map": "filter_map",
          "array-map": "array_map", "aggregate": "aggregate"}


@pytest.mark.parametrize("sdk", SDKS)
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("with_params", [False, True])
def test_generate_every_kind(tmp_path: Path, kind: str, sdk: str, with_params: bool) -> None:
    crate = generate_crate("my-module", kind, sdk=sdk, with_params=with_params,
                           directory=tmp_path / "m")
    files = {p.relative_to(crate.path).as_posix() for p in crate.path.rglob("*") if p.is_file()}
    expected = {"Cargo.toml", ".cargo/config.toml", ".gitignore", "README.md", "src/lib.rs",
                "samples.txt"}
    if sdk == "none":
        expected.add("src/smartmodule.rs")
    assert files == expected
    for rel in files:
        assert "{{" not in (crate.path / rel).read_text(), rel
    manifest = tomllib.loads((crate.path / "Cargo.toml").read_text())
    assert manifest["package"]["name"] == "my-module"
    assert manifest["lib"]["crate-type"] == ["cdylib"]
    config = tomllib.loads((crate.path / ".cargo/config.toml").read_text())
    assert config["build"]["target"] == "wasm32-unknown-unknown"
    lib = (crate.path / "src/lib.rs").read_text()
    export = EXPORT[kind]
    if sdk == "fluvio":
        assert "fluvio-smartmodule" in manifest["dependencies"]
        assert f"#[smartmodule({export})]" in lib
        assert ("#[smartmodule(init)]" in lib) == with_params
        assert "mod smartmodule" not in lib
    else:
        assert manifest.get("dependencies", {}) == {}
        assert f"smartmodule!({export});" in lib
        assert ("smartmodule!(init);" in lib) == with_params
        assert (crate.path / "src/smartmodule.rs").read_text() == glue_source()
    # The user's function has Fluvio's shape: a record in, a Result out.
    assert re.search(rf"pub fn {export}\(.*SmartModuleRecord\) -> Result<", lib)
    assert crate.artifact.name == "my_module.wasm"


def test_render_sections() -> None:
    text = "a{{#params}}P{{/params}}{{^params}}N{{/params}}-{{name}}"
    assert render(text, {"name": "x"}, with_params=True) == "aP-x"
    assert render(text, {"name": "x"}, with_params=False) == "aN-x"


def test_refuses_non_empty_directory(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.mkdir()
    (target / "keep.txt").write_text("mine")
    with pytest.raises(WeirError, match="already exists"):
        generate_crate("taken", "map", directory=target)
    assert [p.name for p in target.iterdir()] == ["keep.txt"]


@pytest.mark.parametrize("name", ["9lives", "has space", "test", "a" * 65, "-x", "é",
                                  "Bad_Name", "snake_case", "Upper", "grp/mod", "mod@0.1.0"])
def test_invalid_names(tmp_path: Path, name: str) -> None:
    with pytest.raises(WeirError, match="SmartModule name"):
        generate_crate(name, "map", directory=tmp_path / "x")
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("name", ["Bad_Name", "snake_case", "UPPER", "a" * 64, "trail-"])
def test_generate_refuses_what_registration_refuses(tmp_path: Path, name: str) -> None:
    """A crate generated under a name `smartmodule create` refuses would fail only after
    the build: refuse it up front, write nothing, say what would be valid."""
    from smartmodules.registry import is_valid_name

    assert not is_valid_name(name)
    done = run_weir("smartmodule", "generate", name, "--kind", "map", "--sdk", "none",
                    cwd=tmp_path)
    assert done.returncode == 1, done.stderr
    assert "SmartModule name" in done.stderr and "hint:" in done.stderr
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []
    if name == "Bad_Name":
        assert "did you mean `bad-name`?" in done.stderr
        ok = run_weir("smartmodule", "generate", "bad-name", "--kind", "map", "--sdk", "none",
                      cwd=tmp_path)
        assert ok.returncode == 0, ok.stderr
        assert is_valid_name("bad-name") and (tmp_path / "bad-name" / "Cargo.toml").is_file()


def test_cli_generate(tmp_path: Path) -> None:
    done = run_weir("smartmodule", "generate", "cat-map", "--kind", "map", "--sdk", "none",
                    "--with-params", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == str(tmp_path / "cat-map")
    assert "src/smartmodule.rs" in done.stderr
    assert (tmp_path / "cat-map" / "src" / "lib.rs").is_file()
    dev = [line.strip() for line in done.stderr.splitlines() if "smartmodule dev" in line]
    assert dev[0].endswith(" -e factor=3")  # the init reads `factor`: the line passes one
    again = run_weir("smartmodule", "generate", "cat-map", "--kind", "map", cwd=tmp_path)
    assert again.returncode == 1
    assert "already exists" in again.stderr and "Traceback" not in again.stderr
    out = tmp_path / "elsewhere"
    done = run_weir("smartmodule", "generate", "f", "--kind", "filter", "-o", str(out))
    assert done.returncode == 0 and (out / "Cargo.toml").is_file()


def test_cli_generate_usage_errors(tmp_path: Path) -> None:
    done = run_weir("smartmodule", "generate", "x", "--kind", "reduce", cwd=tmp_path)
    assert done.returncode == 2
    assert "filter-map" in done.stderr  # lists the valid kinds
    done = run_weir("smartmodule", "generate", "x", cwd=tmp_path)
    assert done.returncode == 2 and "--kind" in done.stderr


def test_examples_carry_the_template_glue() -> None:
    """The examples build offline from their own copy of the glue: it must not drift."""
    crates = [p.parent for p in (REPO / "examples" / "smartmodules").glob("*/Cargo.toml")]
    assert len(crates) >= 5
    kinds = set()
    for crate in crates:
        assert (crate / "src" / "smartmodule.rs").read_text() == glue_source(), crate.name
        lib = (crate / "src" / "lib.rs").read_text()
        kinds |= set(re.findall(r"smartmodule!\((\w+)\)", lib))
        prebuilt = REPO / "examples" / "smartmodules" / "prebuilt" / (
            tomllib.loads((crate / "Cargo.toml").read_text())["package"]["name"]
            .replace("-", "_") + ".wasm")
        assert prebuilt.is_file(), f"{prebuilt} missing: run scripts/prebuild-smartmodules.sh"
    assert {"filter", "map", "filter_map", "array_map", "aggregate"} <= kinds
    # the small JSON reader is copied into the crates that read JSON: the copies agree
    readers = {c.name: (c / "src" / "json.rs").read_text() for c in crates
               if (c / "src" / "json.rs").exists()}
    assert len(readers) >= 2 and len(set(readers.values())) == 1, sorted(readers)


def test_build_refuses_crate_without_cdylib(tmp_path: Path) -> None:
    crate = generate_crate("rlib-only", "map", sdk="none", directory=tmp_path / "r")
    manifest = crate.path / "Cargo.toml"
    manifest.write_text(manifest.read_text().replace('crate-type = ["cdylib"]', ""))
    done = run_weir("smartmodule", "build", str(crate.path))
    assert done.returncode == 1
    assert "no .wasm module would be produced" in done.stderr
    assert 'crate-type = ["cdylib"]' in done.stderr


def test_build_reports_bad_manifest(tmp_path: Path) -> None:
    crate = tmp_path / "bad"
    crate.mkdir()
    (crate / "Cargo.toml").write_text("[package\nname = 'x'\n")
    done = run_weir("smartmodule", "build", str(crate))
    assert done.returncode == 1
    assert f"{crate / 'Cargo.toml'}: invalid TOML" in done.stderr
    (crate / "Cargo.toml").write_text("[lib]\n")
    done = run_weir("smartmodule", "build", str(crate))
    assert done.returncode == 1 and "missing [package] name" in done.stderr


def test_generate_with_params_next_steps_run_when_pasted(tmp_path: Path, cargo_env) -> None:
    import shlex

    done = run_weir("smartmodule", "generate", "scale", "--kind", "map", "--sdk", "none",
                    "--with-params", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    dev = next(line.strip() for line in done.stderr.splitlines() if "smartmodule dev" in line)
    words = shlex.split(dev)
    assert words[:3] == ["weir", "smartmodule", "dev"] and "-e" in words
    ran = run_weir(*words[1:], "--once", env=cargo_env, cwd=tmp_path, timeout=300)
    assert ran.returncode == 0, ran.stderr
