"""`weir completion bash|zsh|fish`: click's shell completion, with topic, connector,
SmartModule and profile names read from the live state as the user presses Tab.

The completers read local state only (the store, the registry, the records of connectors
and profiles): never the network, and never an error on the user's prompt.
"""

from __future__ import annotations

import click
from click.shell_completion import CompletionItem, get_completion_class

PROG = "weir"
COMPLETE_VAR = "_WEIR_COMPLETE"
SHELLS = ("bash", "zsh", "fish")


def _matching(names, incomplete: str) -> list[CompletionItem]:
    return [CompletionItem(n) for n in sorted(set(names)) if n.startswith(incomplete)]


def _quietly(read):
    """A completer never breaks the prompt: no names when the state cannot be read."""
    def complete(ctx: click.Context, param: click.Parameter, incomplete: str):
        try:
            return _matching(read(), incomplete)
        except Exception:  # noqa: BLE001 - a completion is a convenience, not a command
            return []
    return complete


def _topics() -> list[str]:
    from runtime.profiles import current_profile
    from runtime.topics import open_store

    if current_profile().kind != "embedded":
        return []  # no network round trip on a Tab press
    store = open_store()
    try:
        return [t.spec.name for t in store.list_topics()]
    finally:
        store.close()


def _connectors() -> list[str]:
    from runtime.home import weir_home
    from runtime.launch.records import load_all

    root = weir_home() / "connectors"
    ran = [p.name for p in root.iterdir() if p.is_dir()] if root.is_dir() else []
    return ran + [r.name for r in load_all()]


def _smartmodules() -> list[str]:
    from smartmodules.registry import list_modules

    return [e.name for e in list_modules()]


def _profiles() -> list[str]:
    from runtime.profiles import list_profiles

    return [p.name for p in list_profiles()]


def _consumers() -> list[str]:
    from runtime.profiles import current_profile
    from runtime.topics import open_store

    if current_profile().kind != "embedded":
        return []
    store = open_store()
    try:
        return [o.consumer for o in store.list_offsets()]
    finally:
        store.close()


complete_topics = _quietly(_topics)
complete_connectors = _quietly(_connectors)
complete_smartmodules = _quietly(_smartmodules)
complete_profiles = _quietly(_profiles)
complete_consumers = _quietly(_consumers)


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> None:
    """Print the shell completion script for SHELL.

    \b
    bash:  echo 'eval "$(weir completion bash)"' >> ~/.bashrc
    zsh:   echo 'eval "$(weir completion zsh)"' >> ~/.zshrc
    fish:  weir completion fish > ~/.config/fish/completions/weir.fish
    """
    from tui.cli.main import cli

    cls = get_completion_class(shell)
    click.echo(cls(cli, {}, PROG, COMPLETE_VAR).source())
