"""One connector name, one connector: a name already used by a managed connector or a
Docker-run one is refused for a new run, since both would write the same telemetry files
($WEIR_HOME/connectors/<name>/) and `list`/`stop`/`delete` could no longer tell them apart.

(A second live `weir connector run` of a name is refused by runtime.connectors.process_file,
a Docker run of a name a live process uses by runtime.launch.docker.)
"""

from __future__ import annotations

from pathlib import Path

from runtime.errors import WeirError
from runtime.home import weir_home


def refuse_name_in_use(name: str, home: Path | None = None, *, docker: bool = True) -> None:
    """Raise WeirError (exit 1) naming where the other connector called `name` runs."""
    from runtime.launch import records as rec

    home = home or weir_home()
    record = rec.read_record(name, home)
    if isinstance(record, rec.DamagedRecord):
        raise WeirError(f"connector name `{name}` is taken by a managed connector of the "
                        f"local cluster (its record is damaged: {record.message})",
                        hint=f"`weir connector delete {name}` removes it, or run this one "
                             "under another name with --name N")
    if record is not None:
        raise WeirError(
            f"connector name `{name}` is already used by a managed connector of the local "
            f"cluster ({record.status}, profile `{record.profile}`, topic `{record.topic}`)",
            hint=f"stop and remove that one first (`weir connector delete {name}`), or run "
                 "this one under another name with --name N")
    if docker:
        from runtime.launch.inventory import docker_views

        for view in docker_views():
            if view["name"] == name:
                container = view.get("container") or name
                raise WeirError(
                    f"connector name `{name}` is already used by a Docker connector "
                    f"(container {container}, {view.get('docker_status') or view['status']})",
                    hint=f"remove it first (`weir connector delete {name}`), or run this one "
                         "under another name with --name N")
