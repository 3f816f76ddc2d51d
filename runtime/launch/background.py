"""A connector as a local process in the background: what a foreground `weir connector
run` does, detached (its own session, so it outlives the workbench that started it), with
process.json present while it runs so `connector list|stop|delete` find it."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from runtime.connectors.process_file import running_pid
from runtime.errors import WeirError

READY_TIMEOUT_S = 20.0  # imports and the store opening, on a busy machine
WATCH_S = 1.5  # after it is up, how long a quick failure is still reported


def spawn(config: Path, *, name: str, secrets: Path | None = None,
          profile: str | None = None) -> int:
    """Start `config` as connector `name` (in `profile`, else the current one); return
    its pid once it runs. A run that ends at once (a bad config, a name in use) is an
    error carrying what it printed."""
    args = [sys.executable, "-m", "runtime.connectors.run_main", "--config", str(config),
            "--name", name, "--process-file"]
    if secrets is not None:
        args += ["--secrets", str(secrets)]
    env = dict(os.environ)
    if profile:
        env["WEIR_PROFILE"] = profile
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=err, start_new_session=True, cwd=config.parent,
                                env=env)
        began = time.monotonic()
        up_at: float | None = None
        while proc.poll() is None:
            now = time.monotonic()
            if up_at is None and running_pid(name) == proc.pid:
                up_at = now
            if up_at is not None and now - up_at >= WATCH_S:
                return proc.pid
            if up_at is None and now - began > READY_TIMEOUT_S:
                proc.kill()
                proc.wait()
                raise WeirError(f"`{name}` did not start within {READY_TIMEOUT_S:.0f}s")
            time.sleep(0.05)
        if proc.returncode == 0:
            return proc.pid  # already done (a generator with a count, say)
        err.seek(0)
        text = err.read().decode("utf-8", "replace").strip()
    detail = text or f"it exited with code {proc.returncode}"
    raise WeirError(f"`{name}` stopped as soon as it started: {detail}",
                    hint=f"`weir connector run {config}` runs it in the foreground, "
                         "with its log on the terminal")
