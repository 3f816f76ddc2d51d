"""Where Weir keeps its state: `$WEIR_HOME`, else the platform's user data directory."""

from __future__ import annotations

import os
from pathlib import Path

from runtime.errors import EnvironmentProblem


def weir_home(create: bool = True) -> Path:
    """Return the home directory, creating it when asked; fail clearly when unusable."""
    env = os.environ.get("WEIR_HOME")
    if env:
        home = Path(env).expanduser()
    else:
        from platformdirs import user_data_dir

        home = Path(user_data_dir("weir", appauthor=False))
    if create:
        try:
            home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise EnvironmentProblem(
                f"cannot create the Weir home directory {home}: {exc.strerror}",
                hint="set WEIR_HOME to a writable directory",
            ) from exc
        if not os.access(home, os.W_OK | os.X_OK):
            raise EnvironmentProblem(
                f"the Weir home directory {home} is not writable",
                hint="set WEIR_HOME to a writable directory",
            )
    return home


def home_path(*parts: str, create_parent: bool = True) -> Path:
    """A path inside the home directory; its parent exists afterwards."""
    path = weir_home().joinpath(*parts)
    if create_parent:
        path.parent.mkdir(parents=True, exist_ok=True)
    return path
