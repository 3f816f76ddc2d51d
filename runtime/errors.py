"""Errors that carry the exit code a headless command should end with.

0 ok; 1 the input is invalid or the operation failed; 2 usage or environment error.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
# A connector process that stopped on a full disk (EX_TEMPFAIL): its supervisor retries
# with backoff for as long as that lasts, and never counts it toward Failed.
EXIT_DISK_FULL = 75


class WeirError(Exception):
    """A failure to report to the user as one clear message, never a traceback."""

    exit_code: int = EXIT_FAILED

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class EnvironmentProblem(WeirError):
    """Missing file, unreadable home, absent tool: exit code 2."""

    exit_code = EXIT_USAGE


class NotFound(WeirError):
    """A named thing (topic, SmartModule, connector) does not exist: exit code 1."""


class DiskFull(EnvironmentProblem):
    """No space left where weir must write (exit code 2): a fault of the machine, which
    goes away when space is freed, so supervisors retry rather than give up."""


def os_problem(exc: OSError, doing: str = "write", near=None) -> EnvironmentProblem:
    """An OSError as one clear message naming the file (or, when the error does not say,
    the directory `near` it happened in): DiskFull for a full disk or quota, else an
    EnvironmentProblem."""
    import errno

    where = f" {exc.filename}" if exc.filename else f" in {near}" if near else ""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return DiskFull(f"no space left on the device: cannot {doing}{where}",
                        hint="free some space on that disk (or raise the quota), then retry")
    return EnvironmentProblem(f"cannot {doing}{where}: {exc.strerror or exc}")
