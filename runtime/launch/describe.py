"""The config of a connector as `describe` shows it: YAML starting with `---` (as
`fluvio connector describe` prints it), every secret value masked."""

from __future__ import annotations

from pathlib import Path

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
