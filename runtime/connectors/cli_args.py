"""The seed's command-line style: `http -- --endpoint=URL --fluvio-topic=T --interval=10s`.

Fluvio's local connectors took their parameters as flags; Weir turns such a command line
into the legacy (`version: 0.3.0`) config it stands for, so it is validated and run
exactly like the same YAML file would be.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from runtime.errors import EXIT_USAGE, WeirError

LEGACY_VERSION = "0.3.0"


class UsageError(WeirError):
    exit_code = EXIT_USAGE


def parse_flags(args: Sequence[str]) -> dict[str, Any]:
    """`--key=value`, `--key value` and bare `--flag` (true); a repeated flag is a list;
    `--key=sub:value` stays a string (the config models decide what it means)."""
    out: dict[str, Any] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--") or arg == "--":
            raise UsageError(
                f"unexpected argument {arg!r}",
                hint="connector parameters are flags: --endpoint=URL --fluvio-topic=TOPIC",
            )
        key, sep, value = arg[2:].partition("=")
        if not key:
            raise UsageError(f"unexpected argument {arg!r}")
        if not sep:
            if i + 1 < len(args) and not args[i + 1].startswith("--"):
                value = args[i + 1]
                i += 1
            else:
                value = "true"
        if key in out:
            previous = out[key]
            out[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            out[key] = value
        i += 1
    return out


def legacy_config(connector_type: str, args: Sequence[str], name: str | None = None) -> dict:
    """The legacy config mapping a seed-style command line stands for."""
    params = parse_flags(args)
    topic = params.pop("fluvio-topic", None) or params.pop("fluvio_topic", None)
    if not topic or isinstance(topic, list):
        raise UsageError(
            "the topic is missing: add --fluvio-topic=TOPIC after `--`",
            hint=f"weir connector run {connector_type} -- --endpoint=URL --fluvio-topic=TOPIC",
        )
    given_name = params.pop("name", None) or name
    if isinstance(given_name, list):
        given_name = given_name[-1]
    return {
        "version": LEGACY_VERSION,
        "name": given_name or f"{connector_type}-{topic}",
        "type": connector_type,
        "topic": topic,
        "parameters": params,
    }
