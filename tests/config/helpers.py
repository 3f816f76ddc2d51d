"""Small helpers for config tests: validate text, look diagnostics up by code."""

from __future__ import annotations

import textwrap

from runtime.config.diagnostics import Diagnostic
from runtime.config.validate import analyze_text

CURRENT = """\
apiVersion: 0.1.0
meta:
  version: 0.5.0
  name: cat-facts
  type: http-source
  topic: cat-facts
http:
  endpoint: https://catfact.ninja/fact
  interval: 10s
"""

LEGACY = """\
version: 0.3.0
name: cat-facts
type: http
topic: cat-facts
direction: source
parameters:
  endpoint: https://catfact.ninja/fact
  interval: 10s
"""


def diags(text: str, **kwargs) -> list[Diagnostic]:
    return analyze_text(textwrap.dedent(text), "t.yaml", **kwargs).report.diagnostics


def find(text: str, code: str, **kwargs) -> Diagnostic:
    found = [d for d in diags(text, **kwargs) if d.code == code]
    assert found, f"no {code} in {diags(text, **kwargs)}"
    return found[0]


def where(text: str, code: str, **kwargs) -> tuple[str, int | None, int | None]:
    d = find(text, code, **kwargs)
    return d.severity, d.line, d.column


def codes(text: str, **kwargs) -> set[str]:
    return {d.code for d in diags(text, **kwargs)}


def weir(*args: str, input: str | None = None, env: dict | None = None):
    """Run the CLI's real entry point in this process (fast; same code path as the
    `weir` script): returns returncode, stdout, stderr like subprocess.run."""
    import contextlib
    import io
    import os
    import subprocess
    import sys

    from tui.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    stdin = io.TextIOWrapper(io.BytesIO((input or "").encode()), encoding="utf-8")
    old_argv, old_stdin, old_env = sys.argv, sys.stdin, dict(os.environ)
    sys.argv, sys.stdin = ["weir", *args], stdin
    os.environ.update(env or {})
    code = 0
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main()
            except SystemExit as exc:
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    finally:
        sys.argv, sys.stdin = old_argv, old_stdin
        os.environ.clear()
        os.environ.update(old_env)
    return subprocess.CompletedProcess(["weir", *args], code, out.getvalue(), err.getvalue())
