"""`weir connector generate|install`: start a connector plugin, and make it a Weir type."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import click

from tui.cli.output import info


@click.command("generate")
@click.argument("name")
@click.option("--kind", "-k", required=True, type=click.Choice(["source", "sink"]),
              help="A source produces records into a topic; a sink delivers them.")
@click.option("-o", "--output-dir", "output_dir", type=click.Path(path_type=Path),
              help="Directory to create (default: ./NAME).")
def generate(name: str, kind: str, output_dir: Path | None) -> None:
    """Write a connector plugin package NAME: class, parameters, config, test, README."""
    from runtime.connectors.scaffold import generate as write_package

    made = write_package(name, kind, output_dir)
    info(f"Created {kind} connector `{made.type}` in {made.path}:")
    for rel in made.files:
        info(f"  {rel}")
    config = made.path / "connector.yaml"
    info("Next:")
    info(f"  weir connector install {made.path}")
    if kind == "source":
        info(f"  weir connector test {config} -n 5")
        info(f"  weir connector dev {config} -n 5")
    else:
        info(f"  weir connector test {config} --file {made.path / 'samples.txt'}")
        info(f"  weir connector dev {config} --file {made.path / 'samples.txt'}")
    click.echo(str(made.path))


@click.command("install")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
def install(path: Path) -> None:
    """pip install -e PATH into Weir's own environment; list the types it provides."""
    from runtime.errors import EnvironmentProblem, WeirError

    pyproject = path / "pyproject.toml"
    if not path.is_dir():
        raise EnvironmentProblem(f"{path}: no such directory")
    if not pyproject.is_file():
        raise EnvironmentProblem(f"{path} has no pyproject.toml",
                                 hint="start one with `weir connector generate NAME --kind "
                                 "source`")
    dist = _dist_name(pyproject)
    isolation = ["--no-build-isolation"] if _builds_offline() else []
    cmd = [sys.executable, "-m", "pip", "install", *isolation, "--disable-pip-version-check",
           "-e", str(path.resolve())]
    info(f"$ {' '.join(cmd)}")
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if done.returncode != 0:
        for line in done.stdout.splitlines()[-20:]:
            info(f"  {line}")
        raise WeirError(f"pip could not install {path} (exit {done.returncode})",
                        hint="its output is above")
    # a fresh process: this one's import caches predate the install
    listing = subprocess.run([sys.executable, "-c", _LIST, dist], capture_output=True,
                             text=True)
    provided, broken = _parse(listing.stdout)
    for line in broken:
        info(f"error: {line}")
    if not provided and not broken:
        raise WeirError(f"{dist} is installed but declares no connector",
                        hint='add [project.entry-points."weir.connectors"] TYPE = '
                        '"module:Class" to its pyproject.toml, then install it again')
    if provided:
        types = "connector type" if len(provided) == 1 else "connector types"
        click.echo(f"installed {dist}: {types} {', '.join(provided)}")
    if broken:
        raise click.exceptions.Exit(1)


def _builds_offline() -> bool:
    """Whether this environment's setuptools can build an editable install by itself
    (then pip needs no index for build requirements: --no-build-isolation)."""
    try:
        import setuptools
        import wheel  # noqa: F401 - setuptools < 70 builds editables through it
    except ImportError:
        return False
    major = int(setuptools.__version__.split(".")[0])
    return major >= 64


def _dist_name(pyproject: Path) -> str:
    import tomllib

    from runtime.errors import WeirError

    try:
        return tomllib.loads(pyproject.read_text())["project"]["name"]
    except (KeyError, ValueError, OSError) as exc:
        raise WeirError(f"{pyproject}: no [project] name ({exc})") from None


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


_LIST = """
import re, sys
from runtime.connectors import registry
registry.on_failure = lambda failure: None
norm = lambda n: re.sub(r"[-_.]+", "-", n).lower()
want = norm(sys.argv[1])
found = registry.discover()
for name, (cls, dist) in found.classes.items():
    if norm(dist) == want:
        print("ok", name)
for f in found.failures:
    if norm(f.dist) == want:
        print("failed", f.message())
"""


def _parse(text: str) -> tuple[list[str], list[str]]:
    provided, broken = [], []
    for line in text.splitlines():
        status, _, rest = line.partition(" ")
        (provided if status == "ok" else broken).append(rest)
    return provided, broken
