"""`weir`: with no arguments the Textual workbench, with a command its headless twin."""

from __future__ import annotations

import os
import sys
import traceback

import click

from runtime import __version__
from runtime.errors import EXIT_FAILED, EnvironmentProblem, NotFound, WeirError, os_problem
from tui.cli.lazy import LazyGroup
from tui.cli.output import (
    forget_json_request,
    json_errors_wanted,
    print_error_json,
    reader_left,
)

# Every command group lives in its own module; add yours here with its short help.
COMMANDS: dict[str, tuple[str, str]] = {
    "connector": ("tui.cli.connector:connector", "Run, create, list and manage connectors"),
    "smartmodule": ("tui.cli.smartmodule:smartmodule", "Register, build, test SmartModules"),
    "cluster": ("tui.cli.cluster:cluster", "Start, stop and inspect the local cluster"),
    "profile": ("tui.cli.profile:profile", "List, add, switch and delete profiles"),
    "validate": ("tui.cli.validate:validate", "Check connector configs, every mistake located"),
    "config": ("tui.cli.config:config", "Convert legacy configs, start new ones, editor schema"),
    "completion": ("tui.cli.completion:completion", "Print the shell completion script"),
    "logs": ("tui.cli.logs:logs", "Every connector's logs and events on one timeline"),
    "demo": ("tui.cli.demo:demo", "Prepare the offline demo: example SmartModules, demo topic"),
    "topic": ("tui.cli.topic:topic", "Create, list, describe, delete topics"),
    "partition": ("tui.cli.partition:partition", "List topic partitions: offsets and sizes"),
    "produce": ("tui.cli.produce:produce", "Produce records to a topic from stdin or a file"),
    "consume": ("tui.cli.consume:consume", "Print a topic's records, following new ones"),
    "consumer": ("tui.cli.consumer:consumer", "List and delete named consumers' offsets and lag"),
}


class WeirGroup(LazyGroup):
    def invoke(self, ctx: click.Context):
        # click itself would turn a broken pipe into exit 1
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            # streaming output whose reader left (`weir consume ... | head -1`): a command
            # with a verdict prints it under output.until_reader_leaves and never gets here
            reader_left()
            raise click.exceptions.Exit(0) from None


@click.group(
    cls=WeirGroup,
    lazy=COMMANDS,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, "-V", "--version", prog_name="weir")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Weir: write, build, run and watch Fluvio-style smart connectors.

    Run `weir` alone to open the workbench; every action also has a headless command.
    """
    if ctx.invoked_subcommand is None:
        from tui.app import run_app

        run_app()


def main() -> None:
    """Entry point: turn WeirError into a message and its exit code, never a traceback."""
    code = _run()
    try:
        sys.stdout.flush()  # here, not at interpreter exit, where EPIPE would cost the code
    except BrokenPipeError:
        reader_left()
    sys.exit(code)


def _run() -> int:
    """Run the command line; the exit code, whatever way the command ended."""
    forget_json_request()
    try:
        # the name and variable `weir completion` writes into the shell's script
        code = cli.main(standalone_mode=False, prog_name="weir",
                        complete_var="_WEIR_COMPLETE")
        if isinstance(code, int) and not isinstance(code, bool) and code:
            return code  # ctx.exit(N): click returns N instead of raising here
        return 0
    except SystemExit as exc:  # sys.exit(N) in a command
        return _exit_code(exc.code)
    except click.exceptions.Abort:
        return _fail("aborted", "Aborted.", None, 130, plain="Aborted.")
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        if json_errors_wanted(sys.argv[1:]):
            ctx = getattr(exc, "ctx", None)
            hint = f"`{ctx.command_path} --help` lists its options" if ctx else None
            return _fail("usage", exc.format_message(), hint, exc.exit_code)
        exc.show()
        return exc.exit_code
    except WeirError as exc:
        if getattr(exc, "json_reported", False) and json_errors_wanted(sys.argv[1:]):
            return exc.exit_code  # the command's own JSON document already carries it
        return _fail(_code(exc), exc.message, exc.hint, exc.exit_code)
    except BrokenPipeError:
        reader_left()
        return 0
    except OSError as exc:  # the machine, not weir: a full disk, a file it may not write
        problem = os_problem(exc, near=os.environ.get("WEIR_HOME") or "weir's home")
        return _fail(_code(problem), problem.message, problem.hint, problem.exit_code)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # noqa: BLE001 - last line of defence against tracebacks
        if os.environ.get("WEIR_DEBUG"):
            traceback.print_exc()
        return _fail("internal", f"{type(exc).__name__}: {exc}",
                     "this is a bug in weir; rerun with WEIR_DEBUG=1 for the traceback",
                     EXIT_FAILED, plain=f"internal error: {type(exc).__name__}: {exc}")


def _code(exc: WeirError) -> str:
    """A stable word for scripts: the error's own code, else its kind."""
    own = getattr(exc, "code", None)
    if isinstance(own, str) and own:
        return own
    if isinstance(exc, NotFound):
        return "not-found"
    if isinstance(exc, EnvironmentProblem):
        return "environment"
    return "failed"


def _fail(code: str, message: str, hint: str | None, exit_code: int,
          plain: str | None = None) -> int:
    """Report an error: one JSON object on stdout under -O json, else lines on stderr."""
    if json_errors_wanted(sys.argv[1:]):
        print_error_json(code, message, hint)
        return exit_code
    click.echo(plain or f"error: {message}", err=True)
    if hint:
        click.echo(f"  hint: {hint}", err=True)
    return exit_code


def _exit_code(code: object) -> int:
    """What sys.exit(code) would end the process with."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    click.echo(str(code), err=True)
    return EXIT_FAILED


if __name__ == "__main__":
    main()
