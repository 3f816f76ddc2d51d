"""`weir connector run FILE [--secrets S]`: run a connector in the foreground, logs on
the terminal, until Ctrl-C (like `cdk test`). Also the seed's flag style:
`weir connector run http -- --endpoint=URL --fluvio-topic=T --interval=10s --map=NAME`."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from tui.cli.connector_docker import check_docker_flags, docker_options, run_in_docker
from tui.cli.output import info


@click.command("run", context_settings={"ignore_unknown_options": True})
@click.argument("target", metavar="FILE|TYPE", required=False)
@click.argument("flags", nargs=-1, type=click.UNPROCESSED)
@click.option("-c", "--config", "config", type=click.Path(dir_okay=False),
              help="The connector config (the same as giving FILE).")
@click.option("--secrets", "secrets", type=click.Path(dir_okay=False),
              help="Secrets file: NAME=value lines (else the environment).")
@click.option("--name", "name", metavar="N",
              help="Run under this connector name instead of the config's.")
@docker_options
@click.pass_context
def run(ctx: click.Context, target: str | None, flags: tuple[str, ...], config: str | None,
        secrets: str | None, name: str | None, docker: bool, detach: bool,
        base_image: str | None) -> None:
    """Run the connector in FILE here until Ctrl-C: logs on the terminal, secrets masked.
    With --docker, in a container instead (-d: detached; see `weir connector logs`).

    TYPE -- --FLAG=VALUE ... runs a built-in connector from Fluvio-style flags instead,
    e.g. `weir connector run http -- --endpoint=URL --fluvio-topic=T --interval=10s`.
    """
    from runtime.config.load import ConfigInvalid

    if config and target:
        raise click.UsageError("give the config as FILE or as --config, not both")
    target = config or target
    if not target:
        raise click.UsageError("missing the connector config: weir connector run FILE")
    check_docker_flags(docker, detach, base_image)
    try:
        spec, config_path = load_target(target, flags, secrets)
    except ConfigInvalid as exc:
        for line in describe(exc.diagnostics, exc.path, target, flags):
            info(line)
        ctx.exit(exc.exit_code)
    from runtime.config.names import validate_name
    from runtime.launch.names_in_use import refuse_name_in_use

    if name:
        validate_name("connector", name)
    refuse_name_in_use(name or spec.name, docker=not docker)  # a Docker run checks Docker
    if docker:
        ctx.exit(run_in_docker(Path(config_path), spec=spec, name=name, detach=detach,
                               secrets=Path(secrets) if secrets else None,
                               base_image=base_image))
    if name and name != spec.name:
        spec = dataclasses.replace(spec, name=name)
    ctx.exit(run_foreground(spec, config_path))


def describe(diagnostics, path: str, target: str, flags: tuple[str, ...]) -> list[str]:
    """Diagnostics as `file:line:col: ...` lines, or naming the flags they came from."""
    if flags and not Path(target).is_file():
        from runtime.connectors.cli_args import flag_problem, legacy_config

        config = legacy_config(target, flags)
        return [flag_problem(d, config) for d in diagnostics]
    return [d.human_with_hint(path) for d in diagnostics]


def load_target(target: str, flags: tuple[str, ...], secrets: str | None):
    """(ConnectorSpec, config file) from a YAML file or a type plus seed-style flags;
    the warnings the config still has are printed first."""
    from runtime.config.load import load_connector_checked
    from runtime.errors import EnvironmentProblem

    path = Path(target)
    if path.is_file() and not flags:
        spec, warnings = load_connector_checked(path, secrets_file=secrets)
        for line in describe(warnings, target, target, flags):
            info(line)
        return spec, str(path.resolve())
    if path.suffix in (".yaml", ".yml", ".json") or "/" in target:
        if path.is_file():  # a config file with flags after it: the flags are the mistake
            raise click.UsageError(
                f"unexpected {' '.join(flags)} after the config file {target}: flags "
                "go with a connector type, e.g. weir connector run http -- "
                "--endpoint=URL --fluvio-topic=TOPIC")
        raise EnvironmentProblem(f"{target}: no such file",
                                 hint="give a connector config file, or a type and flags")
    if not flags:
        raise EnvironmentProblem(
            f"{target}: no such file",
            hint=f"for flags instead of a file: weir connector run {target} -- "
                 "--endpoint=URL --fluvio-topic=TOPIC",
        )
    from runtime.connectors.cli_args import legacy_config, render_config
    from runtime.connectors.telemetry import connector_dir
    from runtime.private_files import write_private_atomic

    config = legacy_config(target, flags)
    generated = connector_dir(config["name"]) / "command-line.yaml"
    write_private_atomic(generated, render_config(config))
    from runtime.config.load import ConfigInvalid
    from runtime.connectors.cli_args import refuse_unknown_flags

    try:
        spec, warnings = load_connector_checked(generated, secrets_file=secrets)
    except ConfigInvalid as exc:
        refuse_unknown_flags(exc.diagnostics, config)  # first: a typo'd flag explains the rest
        raise
    refuse_unknown_flags(warnings, config)
    for line in describe(warnings, str(generated), target, flags):
        info(line)
    return spec, str(generated)


def run_foreground(spec, config_path: str | None) -> int:
    """Run in this process with process.json present for `connector list` meanwhile."""
    from runtime.connectors.process_file import process_file
    from runtime.connectors.runner import run_connector
    from runtime.errors import EXIT_DISK_FULL, EXIT_USAGE
    from runtime.profiles import current_profile

    profile = current_profile()
    with process_file(spec.name, config_path, profile.name):
        info(f"running {spec.type} connector `{spec.name}` (profile `{profile.name}`, "
             f"topic `{spec.topic}`); Ctrl-C stops it")
        code = run_connector(spec, console=True)
    # a full disk is an environment error here (2); only a supervisor retries on it
    return EXIT_USAGE if code == EXIT_DISK_FULL else code
