"""The config of a connector as `describe` shows it: YAML starting with `---` (as
`fluvio connector describe` prints it), every secret value masked."""

from __future__ import annotations

from pathlib import Path

from runtime.human import human_size
from runtime.launch import records as rec


def masked_yaml(config_text: str, secret_values: list[str] | tuple[str, ...]) -> str:
    import yaml

    from runtime.config.secrets import mask

    try:
        data = yaml.safe_load(config_text)
        dumped = yaml.safe_dump(data, sort_keys=False, explicit_start=True,
                                default_flow_style=False, allow_unicode=True, width=100)
    except yaml.YAMLError:
        dumped = "---\n" + config_text
    return mask(dumped, [v for v in secret_values if v])


def secret_values_for(name: str, home: Path | None = None) -> tuple[str, ...]:
    """Values to mask for a managed connector: its secrets file, and whatever the config
    renders as secrets (legacy plaintext `secrets:` included)."""
    values: list[str] = []
    secrets = rec.secrets_path(name, home)
    try:
        for line in secrets.read_text().splitlines():
            if "=" in line and not line.lstrip().startswith("#"):
                value = line.split("=", 1)[1].strip()
                if value:
                    values.append(value)
    except OSError:
        pass
    try:
        from runtime.config.load import load_connector

        spec = load_connector(rec.config_path(name, home),
                              secrets_file=secrets if values else None, env={})
        values.extend(spec.secret_values)
    except Exception:  # noqa: BLE001 - a config that no longer loads masks its file's values
        pass
    return tuple(dict.fromkeys(v for v in values if v))


def managed_config(name: str, home: Path | None = None,
                   secret_values: tuple[str, ...] | None = None) -> str:
    text = rec.config_path(name, home).read_text()
    values = secret_values if secret_values is not None else secret_values_for(name, home)
    return masked_yaml(text, values)


def describe_text(view: dict) -> str:
    """`connector describe` as text: the config YAML, a blank line, then `# ` lines with
    the status, counters, last error and recent history (UTC)."""
    import time

    config = view.get("config")
    out = [(config or "---\n# config not available\n").rstrip("\n"), ""]
    metrics = view.get("metrics") or {}
    where = view["mode"]
    if view.get("profile"):
        where += f", profile {view['profile']}"
    if view.get("pid"):
        where += f", pid {view['pid']}"
    running = str(view["status"]).lower() == "running"
    uptime = metrics.get("uptime_s") if running else None
    run = metrics.get("run")
    errors = f"errors {metrics.get('errors', 0)}"
    if run is not None and view.get("restarts"):
        errors += f" ({run.get('errors', 0)} this run)"
    lines = [
        f"status: {view['status']} ({where})",
        f"restarts: {view.get('restarts', 0)}, uptime: {age(uptime)}",
        f"records: in {metrics.get('records_in', 0)}, out {metrics.get('records_out', 0)}, "
        f"filtered {metrics.get('filtered', 0)}, {errors}, "
        f"bytes {human_size(metrics.get('bytes') or 0)}",
        f"last error: {view.get('last_error') or 'none'}",
    ]
    recovered = view.get("recovered")
    if recovered:
        lines.append(f"recovered: running again since {_utc(recovered.get('since'))} after "
                     f"failing at {_utc(recovered.get('failed_at'))}: {recovered['error']}")
    history = view.get("history") or []
    if history:
        lines.append("history (UTC):")
        for entry in history[-6:]:
            stamp = time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(entry.get("ts", 0)))
            lines.append(f"  {stamp}  {entry.get('status', ''):<10} {entry.get('message', '')}")
    if view.get("cluster") == "stopped":
        lines.append("the local cluster is not running: `weir cluster start` brings it back")
    out += [f"# {line}" for line in lines]
    return "\n".join(out)


def _utc(ts: float | None) -> str:
    import time

    return "?" if not ts else time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(ts))


def age(seconds: float | None) -> str:
    """`0s`, `42s`, `3m 5s`, `2h 10m`; `-` for none (not running)."""
    if seconds is None:
        return "-"
    seconds = int(seconds)
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m {seconds % 60}s"
    return f"{seconds // 3600}h {seconds % 3600 // 60}m"
