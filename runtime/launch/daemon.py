"""The local cluster daemon: `python -m runtime.launch.daemon`, started detached by
`weir cluster start`. It owns the supervisor and serves the API on 127.0.0.1 at a random
free port; the port and pid go to a state file, the token to a 0600 file."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import secrets
import socket
import sys
import time

from runtime import __version__
from runtime.home import weir_home
from runtime.launch.layout import lock_file, state_file, token_file, write_atomic, write_private


def _bind() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(False)
    return sock


def main() -> int:
    import uvicorn

    from runtime.launch.api import create_app
    from runtime.launch.policy import RestartPolicy
    from runtime.launch.supervisor import Supervisor

    policy = RestartPolicy.from_env()
    home = weir_home()
    lock = open(lock_file(home), "w")  # noqa: SIM115 - held for the daemon's lifetime
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"another cluster daemon already runs for {home}", file=sys.stderr)
        return 2
    os.set_inheritable(lock.fileno(), False)

    token = secrets.token_urlsafe(32)
    write_private(token_file(home), token + "\n")
    sock = _bind()
    port = sock.getsockname()[1]

    supervisor = Supervisor(home, policy)
    holder: dict[str, uvicorn.Server] = {}

    def closing() -> bool:
        server = holder.get("server")
        return bool(server and server.should_exit)

    def request_shutdown() -> None:
        holder["server"].should_exit = True

    @contextlib.asynccontextmanager
    async def lifespan(_app):
        supervisor.restore()
        write_atomic(state_file(home), json.dumps({
            "pid": os.getpid(), "port": port, "started_at": time.time(),
            "version": __version__,
        }))
        print(f"weir cluster {__version__} listening on 127.0.0.1:{port} (pid {os.getpid()})",
              file=sys.stderr, flush=True)
        try:
            yield
        finally:
            state_file(home).unlink(missing_ok=True)
            supervisor.shutdown()
            print("weir cluster stopped", file=sys.stderr, flush=True)

    app = create_app(supervisor, token, is_closing=closing, request_shutdown=request_shutdown,
                     lifespan=lifespan)
    config = uvicorn.Config(
        app, log_level="warning", lifespan="on",
        timeout_graceful_shutdown=2, access_log=False,
    )
    server = uvicorn.Server(config)
    holder["server"] = server
    server.run(sockets=[sock])
    token_file(home).unlink(missing_ok=True)
    return 0


def run() -> int:
    """main() with WeirError as one line in the log, never a traceback."""
    from runtime.errors import WeirError

    try:
        return main()
    except WeirError as exc:
        print(f"error: {exc.message}" + (f" ({exc.hint})" if exc.hint else ""),
              file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(run())
