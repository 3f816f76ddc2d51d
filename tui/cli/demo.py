"""`weir demo`: prepare the offline demo on the embedded store (run by scripts/start.sh)."""

from __future__ import annotations

from pathlib import Path

import click

from tui.cli.output import info


@click.command("demo")
@click.option("--examples", "examples", type=click.Path(file_okay=False, path_type=Path),
              help="The examples/ directory (default: the one beside this checkout).")
def demo(examples: Path | None) -> None:
    """Register the example SmartModules, create the `demo` topic and fill it with
    generated records, offline. Safe to run again."""
    from runtime.connectors.demo import examples_dir, fill_demo_topic, register_prebuilt
    from runtime.errors import EnvironmentProblem

    root = examples or examples_dir()
    if root is None or not root.is_dir():
        raise EnvironmentProblem(
            "the examples/ directory was not found",
            hint="run from a checkout of weir, or pass --examples DIR",
        )
    info("Preparing the offline demo:")
    prebuilt = root / "smartmodules" / "prebuilt"
    if any(prebuilt.glob("*.wasm")):
        register_prebuilt(prebuilt, info)
    else:
        info(f"  no prebuilt SmartModules in {prebuilt}: skipped "
             "(build them with `weir smartmodule build`)")
    config = root / "connectors" / "demo.yaml"
    if not config.is_file():
        raise EnvironmentProblem(f"{config}: no such file", hint="the demo connector config")
    fill_demo_topic(config, info)
    info("Ready. Try: weir consume demo -B -d | head   or   weir connector run "
         f"{config}")
