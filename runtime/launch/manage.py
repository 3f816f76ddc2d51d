"""Creating a managed connector, shared by `weir connector create` and the TUI: validate
the file where the user wrote it, carry the secrets over (the daemon's environment is not
the user's), start the cluster when needed, hand the config to it."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runtime.errors import EnvironmentProblem, WeirError


@dataclass(frozen=True, slots=True)
class Created:
    view: dict[str, Any]  # the connector as the cluster lists it
    profile: str  # pinned for its whole life
    cluster_started: str | None  # "url (pid N)" when this call started the cluster
    warnings: list[Any]  # the config's non-fatal diagnostics (runtime.config Diagnostic)

    @property
    def message(self) -> str:
        return (f"connector `{self.view['name']}` created ({self.view['status']}, profile "
                f"`{self.profile}`, topic `{self.view['topic']}`)")


def declared_secret_names(config_text: str) -> list[str]:
    """`meta.secrets[].name` of a current-format config (the ones the env may supply)."""
    import yaml

    try:
        data = yaml.safe_load(config_text)
    except yaml.YAMLError:
        return []
    meta = data.get("meta") if isinstance(data, dict) else None
    secrets = meta.get("secrets") if isinstance(meta, dict) else None
    return [item["name"] for item in secrets or []
            if isinstance(item, dict) and isinstance(item.get("name"), str)]


def secrets_text(config_text: str, secrets_file: Path | None,
                 env: Mapping[str, str]) -> str | None:
    """The secrets the connector will see: the file's lines, plus declared secrets that
    only the caller's environment provides."""
    lines: list[str] = []
    given: set[str] = set()
    if secrets_file is not None:
        lines.extend(secrets_file.read_text().splitlines())
        given = {line.split("=", 1)[0].strip() for line in lines if "=" in line}
    for name in declared_secret_names(config_text):
        if name not in given and name in env:
            lines.append(f"{name}={env[name]}")
    return "\n".join(lines) + "\n" if lines else None


def refuse_docker_clash(name: str) -> None:
    """A Docker-run connector of that name writes the same telemetry files."""
    from runtime.launch.inventory import docker_views

    for view in docker_views():
        if view["name"] == name:
            raise WeirError(f"connector `{name}` already exists as a Docker connector "
                            f"({view['status']})",
                            hint=f"delete it first: `weir connector delete {name}`")


def create_managed(config: Path, secrets: Path | None = None, *,
                   env: Mapping[str, str] | None = None, start_cluster: bool = True,
                   on_invalid: Callable[[WeirError], WeirError] | None = None) -> Created:
    """Validate `config` (ConfigInvalid, or what `on_invalid` makes of it), then create
    the connector in the cluster, starting the cluster first when `start_cluster`."""
    from runtime.config.load import spec_from_analysis
    from runtime.config.validate import analyze_file
    from runtime.launch.client import ClusterClient
    from runtime.launch.state import read_state
    from runtime.profiles import current_profile
    from smartmodules.chain import module_problem

    environ = dict(os.environ if env is None else env)
    for label, path in (("config", config), ("secrets", secrets)):
        if path is not None and not path.is_file():
            raise EnvironmentProblem(f"{label} file {path} not found",
                                     hint="give the path of an existing file")
    try:
        # `uses:` resolves as the connector will: the registry of this profile, and
        # paths from the config's directory (the supervisor runs it there)
        base_dir = config.resolve().parent
        analysis = analyze_file(
            config, secrets_file=secrets, env=environ, check_values=True,
            find_module=lambda uses: module_problem(uses, base_dir=base_dir))
        spec = spec_from_analysis(analysis, env=environ)
        from runtime.connectors.registry import require_runnable

        require_runnable(spec.type)
    except WeirError as exc:
        raise (on_invalid(exc) if on_invalid else exc) from None
    refuse_docker_clash(spec.name)
    text = config.read_text()
    profile = current_profile()
    started = None
    if start_cluster and read_state() is None:
        from runtime.launch.cluster import start_cluster as start

        result = start()
        started = f"{result.state.url} (pid {result.state.pid})"
    with ClusterClient.connect() as client:
        view = client.create_connector(
            config=text, secrets=secrets_text(text, secrets, environ), profile=profile.name,
            cwd=str(config.resolve().parent), source_path=str(config.resolve()),
        )
    warnings = [d for d in analysis.report.diagnostics if d.severity == "warning"]
    return Created(view=view, profile=profile.name, cluster_started=started,
                   warnings=warnings)
