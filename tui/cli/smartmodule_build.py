"""`weir smartmodule generate | build | dev`: write a SmartModule crate, build it for
wasm32, and iterate on it against sample records. The work is in smartmodules.templates,
smartmodules.build and smartmodules.devloop; this module only parses and prints."""

from __future__ import annotations

from pathlib import Path

import click

from tui.cli.output import action_output_option, info, print_json


def _parse_params(pairs: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"{pair!r} is not KEY=VALUE", param_hint="-e/--param")
        params[key] = value
    return params


@click.command("generate")
@click.argument("name")
@click.option("--kind", "-k", required=True,
              type=click.Choice(["filter", "map", "filter-map", "array-map", "aggregate"]),
              help="Which entry point the SmartModule has.")
@click.option("--with-params", is_flag=True,
              help="Add an init function reading `with:` params (-e key=value in `test`).")
@click.option("--sdk", type=click.Choice(["fluvio", "none"]), default="fluvio",
              show_default=True,
              help="fluvio: depend on the fluvio-smartmodule crate (needs crates.io); "
                   "none: ABI glue inline, no dependencies, builds offline with rustc >= 1.63.")
@click.option("-o", "--output-dir", "output_dir", type=click.Path(path_type=Path),
              help="Directory to create (default: ./NAME).")
@action_output_option
def generate(name: str, kind: str, with_params: bool, sdk: str, output_dir: Path | None,
             output: str) -> None:
    """Write a new SmartModule crate NAME of the given kind."""
    from smartmodules.templates import generate_crate

    crate = generate_crate(name, kind, sdk=sdk, with_params=with_params, directory=output_dir)
    if output == "json":
        print_json({"command": "smartmodule generate", "name": name, "kind": kind,
                    "sdk": sdk, "with_params": with_params, "path": str(crate.path),
                    "files": [str(f) for f in crate.files]})
        return
    deps = "no dependencies" if sdk == "none" else "depends on fluvio-smartmodule"
    info(f"Created {kind} SmartModule `{name}` ({deps}) in {crate.path}:")
    for rel in crate.files:
        info(f"  {rel}")
    info("Next: edit src/lib.rs, then")
    info(f"  weir smartmodule build {crate.path}")
    info(f"  weir smartmodule dev {crate.path} --file {crate.path / 'samples.txt'}"
         + crate.params_example)
    click.echo(str(crate.path))


@click.command("build")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--register", "register_as", metavar="NAME",
              help="Register the built module under NAME (replacing an older build).")
@click.option("--release/--debug", default=True, show_default=True,
              help="Cargo profile; SmartModules are normally built in release.")
@action_output_option
def build(path: Path | None, register_as: str | None, release: bool, output: str) -> None:
    """Build the SmartModule crate at PATH (default: the current directory) for
    wasm32-unknown-unknown, streaming cargo's output to stderr."""
    from runtime.human import human_size
    from smartmodules.build import build_crate

    if register_as is not None:
        from smartmodules.registry import validate_name

        validate_name(register_as)  # refuse a bad name before spending a build on it
    result = build_crate(path, release=release)
    for skipped in result.toolchain.skipped:
        info(f"note: {skipped} has no wasm32-unknown-unknown target; "
             f"used {result.toolchain.cargo} instead")
    info(f"Built {result.artifact} ({human_size(result.size)}) in {result.seconds:.1f}s "
         f"with {result.toolchain.describe()}")
    entry = None
    if register_as is not None:
        from smartmodules import registry

        entry = registry.create(register_as, result.artifact, force=True)
        info(f"Registered `{entry.name}` ({entry.kind}, {human_size(entry.size)})")
    if output == "json":
        print_json({
            "command": "smartmodule build",
            "package": result.crate.package,
            "artifact": str(result.artifact),
            "size": result.size,
            "profile": result.profile,
            "seconds": round(result.seconds, 3),
            "cargo": str(result.toolchain.cargo),
            "rustc": result.toolchain.version,
            "registered": entry.name if entry is not None else None,
        })
    else:
        click.echo(str(result.artifact))


@click.command("dev")
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--file", "samples", required=True,
              type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Sample records, one per line (rerun when it changes too).")
@click.option("--raw", is_flag=True, help="Use the whole file as one record.")
@click.option("-e", "--param", "params", multiple=True, metavar="KEY=VALUE",
              help="A param for the module's init (repeatable).")
@click.option("--aggregate-initial", metavar="VALUE", help="Initial accumulator of an aggregate.")
@click.option("--interval", type=click.FloatRange(0.05, 60), default=0.5, show_default=True,
              help="Seconds between checks for changes.")
@click.option("--release/--debug", default=True, show_default=True, help="Cargo profile.")
@click.option("--once", is_flag=True, help="Build and run the samples once, then exit.")
def dev(path: Path | None, samples: Path, raw: bool, params: tuple[str, ...],
        aggregate_initial: str | None, interval: float, release: bool, once: bool) -> None:
    """Watch the crate at PATH: rebuild on every save, rerun the samples and show which
    output lines changed since the last run. Ctrl-C stops."""
    import sys

    from smartmodules.build import find_crate
    from smartmodules.devloop import DevLoop
    from smartmodules.toolchain import find_toolchain

    crate_dir = find_crate(path)
    find_toolchain(cwd=crate_dir)  # a missing toolchain is an error now, not on every save

    def emit(line: str) -> None:
        click.echo(line)
        sys.stdout.flush()

    loop = DevLoop(
        crate_dir=crate_dir, samples_path=samples.resolve(), emit=emit,
        params=_parse_params(params), raw=raw, release=release,
        aggregate_initial=aggregate_initial.encode() if aggregate_initial is not None else None,
    )
    if once:
        loop.start()
        if loop.artifact is None:
            sys.exit(1)
        if loop.previous is not None and loop.previous.error:
            sys.exit(1)
        return
    try:
        loop.run(interval=interval)
    except KeyboardInterrupt:
        info("stopped")
