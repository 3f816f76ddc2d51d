"""`weir smartmodule create|list|describe|delete`: the active profile's registered modules."""

from __future__ import annotations

import click

from runtime.human import human_size
from tui.cli.completion import complete_smartmodules
from tui.cli.output import action_output_option, info, output_option, print_json, print_table


@click.command("create")
@click.argument("name")
@click.option("--wasm-file", "wasm_file", required=True,
              type=click.Path(dir_okay=False, path_type=str),
              help="The compiled SmartModule (.wasm) to register.")
@click.option("--force", is_flag=True, help="Replace a module already registered under NAME.")
@action_output_option
def create(name: str, wasm_file: str, force: bool, output: str) -> None:
    """Register a SmartModule under NAME (`name` or `group/name@version`).

    The file is checked first: it must import `copy_records`, export `memory`, `alloc`
    and one entry point (filter, map, filter_map, array_map or aggregate).
    """
    from smartmodules import registry

    entry = registry.create(name, wasm_file, force=force)
    if output == "json":
        print_json({"command": "smartmodule create", "smartmodule": entry.to_dict()})
        return
    info(f'smartmodule "{entry.name}" has been created ({entry.kind}, '
         f"{human_size(entry.size)})")


@click.command("list")
@output_option
def list_(output: str) -> None:
    """List registered SmartModules: NAME KIND SIZE. A damaged entry shows KIND `DAMAGED`
    (and `damaged`, the reason, in JSON); `describe` or the note on stderr says why."""
    from smartmodules import registry

    entries = registry.list_all()
    if output == "json":
        print_json([e.to_dict() if isinstance(e, registry.Damaged) else
                    {"name": e.name, "kind": e.kind, "size": e.size, "sha256": e.sha256,
                     "damaged": None} for e in entries])
        return
    if not entries:
        info("no SmartModules registered; add one with "
             "`weir smartmodule create NAME --wasm-file F`")
        return
    print_table(["NAME", "KIND", "SIZE"],
                [(e.name, "DAMAGED", "-") if isinstance(e, registry.Damaged)
                 else (e.name, e.kind, human_size(e.size)) for e in entries])
    for e in entries:
        if isinstance(e, registry.Damaged):
            info(f"damaged: `{e.name}`: {e.reason}; {registry.damaged_hint(e.name)}")


@click.command("describe")
@click.argument("name", shell_complete=complete_smartmodules)
@output_option
def describe(name: str, output: str) -> None:
    """Show what a registered SmartModule is: kind, size, entry points, imports; for a
    damaged one, what is wrong with it."""
    from smartmodules import registry

    found = registry.inspect(name)
    if isinstance(found, registry.Damaged):
        if output == "json":
            print_json(found.to_dict())
        else:
            click.echo(f"name     {found.name}")
            click.echo("status   DAMAGED")
            click.echo(f"problem  {found.reason}")
            click.echo(f"path     {found.directory}")
        info(f"SmartModule `{name}` is damaged; {registry.damaged_hint(name)}")
        return
    data = found.to_dict()
    if output == "json":
        print_json(data)
        return
    rows = [
        ("name", data["name"]),
        ("kind", data["kind"]),
        ("size", f"{human_size(data['size'])} ({data['size']} bytes)"),
        ("sha256", data["sha256"]),
        ("created", data["created_at"]),
        ("source", data["source"] or "-"),
        ("init", "yes (takes params)" if data["has_init"] else "no"),
        ("look_back", "yes" if data["has_look_back"] else "no"),
        ("wasi", "yes (output goes to the log)" if data["uses_wasi"] else "no"),
        ("exports", ", ".join(data["exports"])),
        ("imports", ", ".join(data["imports"])),
        ("path", data["path"]),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        click.echo(f"{key.ljust(width)}  {value}")


@click.command("delete")
@click.argument("name", shell_complete=complete_smartmodules)
@action_output_option
def delete(name: str, output: str) -> None:
    """Remove a registered SmartModule."""
    from smartmodules import registry

    registry.delete(name)
    if output == "json":
        print_json({"command": "smartmodule delete", "deleted": name})
        return
    info(f'smartmodule "{name}" deleted')
