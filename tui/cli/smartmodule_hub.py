"""`weir smartmodule download GROUP/NAME@VERSION`: a SmartModule from Fluvio's Hub, checked
and registered under its Hub name (smartmodules/hub.py reads the package)."""

from __future__ import annotations

import os
from pathlib import Path

import click

from runtime.human import human_size
from tui.cli.output import action_output_option, info, print_json


@click.command("download")
@click.argument("package", metavar="GROUP/NAME@VERSION")
@click.option("-o", "--output", "out", type=click.Path(path_type=Path),
              help="Save the package file here (a directory or a .ipkg path) instead of "
              "registering it.")
@click.option("--ipkg", is_flag=True,
              help="PACKAGE is a package file you have: check and register it, offline.")
@click.option("--force", is_flag=True, help="Replace a module already registered under the "
              "package's name.")
@action_output_option(long=False)
def download(package: str, out: Path | None, ipkg: bool, force: bool, output: str) -> None:
    """Fetch a SmartModule package from Fluvio's Hub (https://hub.infinyon.cloud, or
    $INFINYON_HUB_REMOTE), check it, and register it as GROUP/NAME@VERSION.

    \b
    weir smartmodule download infinyon/jolt@0.4.1
    weir smartmodule download infinyon/jolt@0.4.1 -o packages/
    weir smartmodule download packages/infinyon-jolt-0.4.1.ipkg --ipkg
    """
    from runtime.errors import EnvironmentProblem
    from smartmodules import hub

    if ipkg and out is not None:
        raise click.UsageError("--ipkg installs a file you have; -o saves a download: "
                               "use one of them")
    if ipkg:
        try:
            data = Path(package).read_bytes()
        except FileNotFoundError:
            raise EnvironmentProblem(f"{package}: no such file") from None
        except OSError as exc:
            raise EnvironmentProblem(f"{package}: cannot read: {exc.strerror}") from None
        pkg = hub.read_package(data, package)
        source = str(Path(package).resolve())
    else:
        name = hub.parse_name(package)
        where = hub.remote()
        data = hub.download(name, where)
        pkg = hub.read_package(data, f"{name} from the Hub", expect=name)
        source = f"{where}/hub/v0/pkg/pub/{name.group}/{name.name}/{name.version}"
    if out is not None:
        target = out / pkg.name.file_name if out.is_dir() else out
        _save(target, data)
        if output == "json":
            print_json({"command": "smartmodule download", "package": str(pkg.name),
                        "saved": str(target), "registered": None})
        else:
            info(f"saved {target} ({human_size(len(data))}); register it with "
                 f"`weir smartmodule download {target} --ipkg`")
        return
    entry = _register(pkg, source, force)
    if output == "json":
        print_json({"command": "smartmodule download", "package": str(pkg.name),
                    "saved": None, "registered": entry.to_dict()})
        return
    info(f'smartmodule "{entry.name}" has been downloaded and registered ({entry.kind}, '
         f"{human_size(entry.size)})")


def _register(pkg, source: str, force: bool):
    from smartmodules import registry
    from smartmodules.module import load_bytes

    name = str(pkg.name)
    loaded = load_bytes(pkg.wasm, name=f"{name} ({pkg.wasm_file})")
    return registry.store(name, loaded, source=source, force=force)


def _save(target: Path, data: bytes) -> None:
    """A new private file (user data from its first byte); an existing one is refused."""
    from runtime.errors import EnvironmentProblem, WeirError

    try:
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise WeirError(f"{target} exists; not overwriting it",
                        hint="remove it or give another -o") from None
    except OSError as exc:
        raise EnvironmentProblem(f"{target}: cannot write: {exc.strerror}") from None
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
