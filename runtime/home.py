"""Where Weir keeps its state: `$WEIR_HOME`, else the platform's user data directory.

The home is private to its owner (0700, and everything Weir creates in it 0700 or 0600,
see runtime.private_files). A home an older Weir left readable by others is tightened
the first time a process uses it, with one line on stderr saying so.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

from runtime.errors import EnvironmentProblem
from runtime.private_files import OTHERS, make_private_dir, tighten, tighten_tree

# What Weir keeps at the top of its home; only these are tightened recursively, so a
# WEIR_HOME pointed at a directory with other things in it never has them changed.
WEIR_ENTRIES = ("cluster", "connectors", "data", "cache", "profiles.json", "tui.yaml")

_checked: set[Path] = set()


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
            make_private_dir(home)
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
        if home not in _checked:
            _keep_private(home)
            _checked.add(home)
    return home


def _keep_private(home: Path) -> None:
    """Tighten a home that others can enter (made by an older Weir, or by hand)."""
    try:
        mode = stat.S_IMODE(os.stat(home).st_mode)
    except OSError:
        return
    if not mode & OTHERS:
        return
    if not tighten(home):  # first: from here on nobody else gets in
        return  # not ours to change; the files in it are still created private
    for name in WEIR_ENTRIES:
        tighten_tree(home / name)
    print(f"weir: {home} was readable by other users (mode {mode:04o}); made it and "
          "Weir's files in it private (0700 directories, 0600 files)", file=sys.stderr)

