"""`weir profile list|current|switch|add|delete`: which cluster commands talk to.

As in Fluvio's "About Switching Profiles": connectors already running keep the profile
they started with; only what starts afterwards uses the new one."""

from __future__ import annotations

import os

import click

from tui.cli.completion import complete_profiles
from tui.cli.output import action_output_option, info, output_option, print_json, print_table


@click.group()
def profile() -> None:
    """List, add, switch and delete profiles (embedded stores or Fluvio clusters)."""


def _target(p) -> str:
    return p.endpoint if p.kind == "fluvio" else str(p.store_dir())


def _profile_json(p) -> dict:
    return {"name": p.name, "kind": p.kind, "target": _target(p), "data_dir": p.data_dir,
            "endpoint": p.endpoint}


@profile.command("list")
@output_option
def list_(output: str) -> None:
    """Every profile; `*` marks the active one."""
    from runtime.profiles import current_profile, list_profiles

    active = current_profile().name
    profiles = list_profiles()
    if output == "json":
        print_json([{**_profile_json(p), "current": p.name == active} for p in profiles])
        return
    print_table(["", "PROFILE", "KIND", "TARGET"],
                [["*" if p.name == active else "", p.name, p.kind, _target(p)]
                 for p in profiles])


@profile.command()
def current() -> None:
    """The active profile's name."""
    from runtime.profiles import current_profile

    active = current_profile()
    click.echo(active.name)
    if os.environ.get("WEIR_PROFILE"):
        info("(chosen by the WEIR_PROFILE environment variable)")


@profile.command()
@click.argument("name", shell_complete=complete_profiles)
@action_output_option
def switch(name: str, output: str) -> None:
    """Make NAME the active profile for the commands that follow."""
    from runtime.launch.records import load_all
    from runtime.profiles import switch_profile

    switched = switch_profile(name)
    others = [r for r in load_all() if r.profile != name and r.desired == "running"]
    overridden = os.environ.get("WEIR_PROFILE") and os.environ["WEIR_PROFILE"] != name
    if output == "json":
        print_json({"command": "profile switch", "profile": _profile_json(switched),
                    "pinned_connectors": [{"name": r.name, "profile": r.profile}
                                          for r in others],
                    "overridden_by_env": os.environ["WEIR_PROFILE"] if overridden else None})
        return
    info(f"switched to profile `{switched.name}` ({switched.kind}: {_target(switched)})")
    if others:
        pinned = ", ".join(f"{r.name} ({r.profile})" for r in others)
        info(f"managed connectors keep the profile they were created with: {pinned}; "
             "to move one, delete it and create it again")
    if overridden:
        info(f"note: WEIR_PROFILE={os.environ['WEIR_PROFILE']} still overrides it in this shell")


@profile.command()
@click.argument("name")
@click.option("--data-dir", type=click.Path(file_okay=False),
              help="An embedded store in this directory.")
@click.option("--fluvio", "endpoint", metavar="HOST:PORT",
              help="A Fluvio cluster's SC endpoint, e.g. 127.0.0.1:9003.")
@click.option("--switch", "switch_to", is_flag=True, help="Make it the active profile.")
@action_output_option
def add(name: str, data_dir: str | None, endpoint: str | None, switch_to: bool,
        output: str) -> None:
    """Add a profile: an embedded store (--data-dir) or a Fluvio cluster (--fluvio)."""
    from runtime.profiles import Profile, add_profile, new_profile

    if (data_dir is None) == (endpoint is None):
        raise click.UsageError("give exactly one of --data-dir DIR or --fluvio HOST:PORT")
    created: Profile = new_profile(name, data_dir=data_dir, endpoint=endpoint)
    add_profile(created, switch=switch_to)
    if output == "json":
        print_json({"command": "profile add", "profile": _profile_json(created),
                    "active": switch_to})
        return
    info(f"profile `{name}` added ({created.kind}: {_target(created)})"
         + ("; it is now active" if switch_to else ""))


@profile.command()
@click.argument("name", shell_complete=complete_profiles)
@click.option("--force", is_flag=True, help="Delete even if managed connectors use it.")
@action_output_option
def delete(name: str, force: bool, output: str) -> None:
    """Delete a profile (never `local`; its data stays on disk)."""
    from runtime.errors import WeirError
    from runtime.launch.records import profiles_in_use
    from runtime.profiles import current_profile, delete_profile

    users = profiles_in_use().get(name, [])
    if users and not force:
        raise WeirError(
            f"profile `{name}` is used by managed connectors: {', '.join(users)}",
            hint="delete those connectors first, or pass --force (they then fail to start)",
        )
    was_current = current_profile().name == name and not os.environ.get("WEIR_PROFILE")
    delete_profile(name)
    if output == "json":
        print_json({"command": "profile delete", "deleted": name,
                    "active": current_profile().name, "connectors_left": users})
        return
    info(f"profile `{name}` deleted" + ("; the active profile is now `local`"
                                         if was_current else ""))
