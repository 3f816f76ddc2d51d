"""Errors that carry the exit code a headless command should end with.

0 ok; 1 the input is invalid or the operation failed; 2 usage or environment error.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2


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
