"""`python -m runtime.connectors.run_main --config F [--secrets S] [--name N]`

Runs one connector in a fresh process until SIGTERM (flush, commit, exit 0). The
supervisor, the Docker image and background local-process runs (--process-file, so that
`connector list|stop` find it) start connectors this way; it loads no UI code.
Exit codes: 0 stopped cleanly, 1 the connector failed, 2 the config cannot be used.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from contextlib import suppress

from runtime.errors import EXIT_USAGE, WeirError


def main(argv: list[str] | None = None) -> int:
    """`_main`, with a full disk met anywhere (the connector's log, its process file) as
    EXIT_DISK_FULL, which the supervisor retries, and any other OSError as exit 2."""
    from runtime.errors import EXIT_DISK_FULL, DiskFull, os_problem

    try:
        return _main(argv)
    except (OSError, DiskFull) as exc:
        problem = os_problem(exc) if isinstance(exc, OSError) else exc
        with suppress(OSError):  # stderr may be a file on the full disk
            print(f"error: {problem.message}", file=sys.stderr)
        return EXIT_DISK_FULL if isinstance(problem, DiskFull) else problem.exit_code


def _main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m runtime.connectors.run_main")
    parser.add_argument("--config", required=True, help="connector YAML file")
    parser.add_argument("--secrets", help="secrets file (NAME=value lines)")
    parser.add_argument("--name", help="run under this name instead of the config's")
    parser.add_argument("--console", action="store_true", help="also log to stderr")
    parser.add_argument("--process-file", action="store_true",
                        help="keep $WEIR_HOME/connectors/NAME/process.json while running")
    args = parser.parse_args(argv)

    from runtime.config.load import load_connector
    from runtime.connectors.runner import run_connector

    try:
        spec = load_connector(args.config, secrets_file=args.secrets)
    except WeirError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        for diag in getattr(exc, "diagnostics", None) or ():
            print(f"  {diag}", file=sys.stderr)
        if exc.hint:
            print(f"  hint: {exc.hint}", file=sys.stderr)
        return EXIT_USAGE
    if args.name and args.name != spec.name:
        spec = dataclasses.replace(spec, name=args.name)
    if not args.process_file:
        return run_connector(spec, console=args.console)
    from pathlib import Path

    from runtime.connectors.process_file import process_file
    from runtime.profiles import current_profile

    try:
        secrets = str(Path(args.secrets).resolve()) if args.secrets else None
        with process_file(spec.name, str(Path(args.config).resolve()),
                          current_profile().name, secrets):
            return run_connector(spec, console=args.console)
    except WeirError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        if exc.hint:
            print(f"  hint: {exc.hint}", file=sys.stderr)
        return exc.exit_code


if __name__ == "__main__":
    sys.exit(main())
