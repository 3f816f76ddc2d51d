"""The workbench's own settings: `$WEIR_HOME/tui.yaml`, overridable by `WEIR_TUI_*` variables.

```yaml
theme: textual-dark
keymap: {area.topics: f5, tail.follow: F}   # binding id -> key(s), comma separated
recent_files: []                              # kept by the editor, newest first
tail_max_lines: 10000
docker_base_image: weir-base:bookworm         # what Docker starts build on (never pulled)
```
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

from runtime.errors import EnvironmentProblem
from runtime.home import weir_home
from runtime.private_files import write_private_atomic

MAX_RECENT = 10


class TuiSettings(BaseModel):
    theme: str = "textual-dark"
    keymap: dict[str, str] = Field(default_factory=dict)
    recent_files: list[str] = Field(default_factory=list)
    secrets_file: str | None = None
    tail_max_lines: int = Field(default=10_000, ge=100, le=1_000_000)
    tail_flush_ms: int = Field(default=80, ge=10, le=1000)
    validate_delay_ms: int = Field(default=300, ge=0, le=5000)
    docker_base_image: str | None = None  # None: runtime.launch.image.DEFAULT_BASE_IMAGE

    def remember(self, path: Path) -> None:
        """Put `path` first in the recent files, keeping the list short."""
        text = str(path.resolve())
        self.recent_files = [text] + [p for p in self.recent_files if p != text]
        del self.recent_files[MAX_RECENT:]


def settings_path() -> Path:
    return weir_home() / "tui.yaml"


def _env_overrides() -> dict[str, str]:
    prefix = "WEIR_TUI_"
    fields = TuiSettings.model_fields
    out: dict[str, str] = {}
    for key, value in os.environ.items():
        if key.startswith(prefix) and (name := key[len(prefix):].lower()) in fields:
            if name not in ("keymap", "recent_files"):
                out[name] = value
    return out


def load_settings(path: Path | None = None) -> TuiSettings:
    """Read the settings file; a broken file is an error that names it, never a traceback."""
    path = path or settings_path()
    data: dict = {}
    if path.exists():
        try:
            loaded = yaml.safe_load(path.read_text()) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise EnvironmentProblem(
                f"cannot read {path}: {exc}", hint="fix the file or delete it to use defaults"
            ) from exc
        if not isinstance(loaded, dict):
            raise EnvironmentProblem(f"{path}: expected a mapping of settings")
        data = loaded
    data.update(_env_overrides())
    try:
        return TuiSettings.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise EnvironmentProblem(
            f"{path}: {problems}", hint="fix the file or delete it to use defaults"
        ) from exc


def save_settings(settings: TuiSettings, path: Path | None = None) -> None:
    """Write atomically so a crash never leaves half a settings file."""
    write_private_atomic(path or settings_path(),
                         yaml.safe_dump(settings.model_dump(), sort_keys=False))
