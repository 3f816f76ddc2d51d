"""The local cluster daemon: `python -m runtime.launch.daemon`, started detached by
`weir cluster start`. It owns the supervisor and serves the API on 127.0.0.1 at a random
free port; the port and pid go to a state file, the token to a private (0600) file."""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import json
import logging
import os
import secrets
import socket
import sys
import time
from pathlib import Path

from runtime import __version__
from runtime.home import weir_home
from runtime.launch.layout import lock_file, state_file, token_file
from runtime.private_files import open_private_append, write_private_atomic


def _bind() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    sock.listen(128)
    sock.set_inheritable(False)
    return sock


def _arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m runtime.launch.daemon")
    parser.add_argument("--fluvio-sc", help="HOST:PORT for Fluvio's SC protocol")
    parser.add_argument("--fluvio-spu", help="HOST:PORT for Fluvio's SPU protocol")
    parser.add_argument("--no-fluvio", action="store_true", help="serve no Fluvio protocol")
    return parser.parse_args(argv)


def _fluvio_sockets(args: argparse.Namespace) -> tuple[socket.socket, socket.socket] | None:
    """Bind the Fluvio listeners now, so a taken port stops the start with a clear error."""
    if args.no_fluvio:
        return None
    from runtime.fluvio_wire import listen

    if args.fluvio_sc:
        sc = listen.bind(listen.parse_address(args.fluvio_sc, "--fluvio-sc"), "Fluvio's SC")
    else:
        sc = listen.bind_default(listen.DEFAULT_SC_PORT, set(), "Fluvio's SC")
    try:
        if args.fluvio_spu:
            spu = listen.bind(listen.parse_address(args.fluvio_spu, "--fluvio-spu"),
                              "Fluvio's SPU")
        else:
            spu = listen.bind_default(listen.DEFAULT_SPU_PORT, {sc.getsockname()[1]},
                                      "Fluvio's SPU")
    except BaseException:
        sc.close()
        raise
    return sc, spu


def _served_profile():
    """The profile whose store and registry the Fluvio endpoint serves: the active one,
    or `local` when the active one is itself a Fluvio cluster."""
    from runtime.profiles import DEFAULT_PROFILE, current_profile, get_profile

    profile = current_profile()
    if profile.kind != "embedded":
        print(f"the active profile `{profile.name}` is a Fluvio cluster: the Fluvio "
              f"endpoint serves the `{DEFAULT_PROFILE}` store", file=sys.stderr, flush=True)
        profile = get_profile(DEFAULT_PROFILE)
    return profile


def _refresh_fluvio_profile(sc: str) -> None:
    """A `weir` profile in Fluvio's config (made by `weir cluster fluvio-profile`) follows
    the SC to the port it has this time; a broken config only costs a line in the log."""
    from runtime.errors import WeirError
    from runtime.fluvio_wire.profile_file import refresh_profile

    try:
        path = refresh_profile(sc)
    except WeirError as exc:
        print(f"Fluvio profile `weir` not updated: {exc.message}", file=sys.stderr, flush=True)
        return
    if path is not None:
        print(f"Fluvio profile `weir` in {path} now points at {sc}", file=sys.stderr,
              flush=True)


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    from runtime.launch.api import create_app
    from runtime.launch.policy import RestartPolicy
    from runtime.launch.supervisor import Supervisor

    policy = RestartPolicy.from_env()
    home = weir_home()
    lock = open_private_append(lock_file(home))  # held for the daemon's lifetime
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        print(f"another cluster daemon already runs for {home}", file=sys.stderr)
        return 2
    os.set_inheritable(lock.fileno(), False)

    args = _arguments(argv)
    fluvio_socks = _fluvio_sockets(args)
    profile = _served_profile() if fluvio_socks else None
    token = secrets.token_urlsafe(32)
    write_private_atomic(token_file(home), token + "\n")
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
        endpoint = None
        fluvio = None
        if fluvio_socks is not None:
            from runtime.fluvio_wire.server import FluvioEndpoint

            store_dir = Path(profile.store_dir())
            endpoint = FluvioEndpoint(*fluvio_socks, store_dir, store_dir / "smartmodules")
            await endpoint.start()
            fluvio = {**endpoint.addresses, "profile": profile.name,
                      "store": str(store_dir)}
            _refresh_fluvio_profile(fluvio["sc"])
        write_private_atomic(state_file(home), json.dumps({
            "pid": os.getpid(), "port": port, "started_at": time.time(),
            "version": __version__, "fluvio": fluvio,
        }))
        print(f"weir cluster {__version__} listening on 127.0.0.1:{port} (pid {os.getpid()})"
              + (f", Fluvio SC {fluvio['sc']}, SPU {fluvio['spu']}" if fluvio else ""),
              file=sys.stderr, flush=True)
        try:
            yield
        finally:
            state_file(home).unlink(missing_ok=True)
            if endpoint is not None:
                await endpoint.stop()
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

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING,
                        format="%(asctime)s %(name)s: %(message)s")
    logging.getLogger("weir.fluvio").setLevel(logging.INFO)
    try:
        return main()
    except WeirError as exc:
        print(f"error: {exc.message}" + (f" ({exc.hint})" if exc.hint else ""),
              file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(run())
