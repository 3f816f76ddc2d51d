"""What the validator says about a file: located diagnostics with stable codes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning", "info"]
Format = Literal["legacy", "current"]

# Stable codes: tests, editors and scripts match on these; never rename one.
CODES: dict[str, str] = {
    "file-unreadable": "the file cannot be read",
    "file-too-large": "the file is over the size bound",
    "empty-file": "the file has no YAML document",
    "nul-byte": "the file contains a NUL byte",
    "invalid-utf8": "the file is not UTF-8 text",
    "yaml-syntax": "the text is not valid YAML",
    "yaml-too-deep": "nesting or alias expansion is beyond the bound",
    "yaml-tag": "a YAML tag that safe loading does not accept",
    "multiple-documents": "more than one YAML document",
    "not-a-mapping": "the document is not a mapping",
    "duplicate-key": "a key appears twice in one mapping",
    "unknown-format": "neither the legacy nor the current connector format",
    "missing-api-version": "current-format file without apiVersion",
    "unsupported-api-version": "apiVersion is not 0.0.0, 0.1.0 or 0.2.0",
    "missing-field": "a required field is absent",
    "wrong-type": "a value has the wrong type",
    "invalid-enum": "a value is not one of the allowed ones",
    "invalid-value": "a value is out of range or malformed",
    "invalid-duration": "not a humantime duration",
    "invalid-bytes": "not a byte size",
    "bare-seconds": "legacy interval in bare seconds",
    "invalid-name": "a topic, SmartModule or connector name breaks the name rules",
    "unknown-key": "a key no part of the format knows",
    "misplaced-key": "a known key in the wrong place",
    "ignored-key": "a key that is accepted and does nothing",
    "weir-only-key": "a parameter Weir's connector reads that Fluvio's official one does not",
    "unofficial-key": "a spelling Weir accepts that Fluvio's official connector ignores",
    "not-used-by-weir": "a setting Fluvio reads and uses that Weir's runtime does not",
    "unknown-connector-type": "a connector type weir has no schema for",
    "not-runnable": "an official connector type weir checks but cannot run",
    "plugin-failed": "the plugin providing the connector type cannot be loaded",
    "missing-connector-section": "no section for the connector's parameters",
    "extra-connector-section": "more than one connector section",
    "direction-mismatch": "direction disagrees with the connector type",
    "offset-needs-strategy": "consumer offset without strategy",
    "invalid-partition": "consumer partition is not an int, list of ints or all",
    "invalid-secret-name": "secret name breaks the rules",
    "undeclared-secret": "${{ secrets.X }} names a secret not in meta.secrets",
    "secret-not-found": "no value for a declared secret",
    "unused-secret": "a declared secret is never referenced",
    "plaintext-secret": "secret value written in the config",
    "plaintext-secret-param": "a parameter its connector marks secret, in plain text",
    "short-secret": "a secret value too short to be masked reliably",
    "secret-not-rendered": "a ${{ secrets.X }} reference Fluvio would not render here",
    "smartmodule-not-found": "a module `uses:` names cannot be loaded where it would run",
    "smartmodule-not-registered": "a module `uses:` names is not in this profile's registry",
    "transform-with-type": "transforms[].with value that is a number or bool",
    "secrets-file": "a bad line in the --secrets file",
}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One finding. `line`/`column` are 1-based; None when the problem has no place."""

    severity: Severity
    code: str
    message: str
    line: int | None = None
    column: int | None = None
    hint: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {"severity": self.severity, "code": self.code, "message": self.message,
                "line": self.line, "column": self.column, "hint": self.hint}

    def location(self, path: str) -> str:
        """`path:line:col`, or `path` when the problem has no place: how every message
        about a config file says where."""
        return path if self.line is None else f"{path}:{self.line}:{self.column or 1}"

    def human(self, path: str) -> str:
        """`path:line:col: severity[CODE]: message`, as compilers print it."""
        return f"{self.location(path)}: {self.severity}[{self.code}]: {self.message}"

    def human_with_hint(self, path: str) -> str:
        """`human(path)`, then `  hint: ...` on the next line when there is one."""
        return self.human(path) + (f"\n  hint: {self.hint}" if self.hint else "")


@dataclass(slots=True)
class FileReport:
    """The verdict on one file: valid means no error (warnings allowed unless strict)."""

    path: str
    valid: bool
    format: Format | None
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "error"]

    @property
    def warnings(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity == "warning"]

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "valid": self.valid, "format": self.format,
                "diagnostics": [d.to_json() for d in self.diagnostics]}
