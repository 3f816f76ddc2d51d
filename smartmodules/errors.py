"""What goes wrong inside a SmartModule, said so a user can act on it."""

from __future__ import annotations

from runtime.errors import WeirError


class SmartModuleError(WeirError):
    """A module trapped, returned an error code, reported a record error or hit a limit.

    `module` names the module, `offset` the record being processed (absolute, or None when
    the failure is not tied to one record), `hint` what the module or the host says about
    it, `kind` a short machine-readable tag (`runtime`, `rc`, `trap`, `time-limit`,
    `memory-limit`, `init`, `look-back`, `output`, `invalid-module`).
    """

    def __init__(
        self,
        message: str,
        *,
        module: str,
        offset: int | None = None,
        hint: str | None = None,
        kind: str = "runtime",
        rc: int | None = None,
        record_key: bytes | None = None,
        record_value: bytes | None = None,
    ) -> None:
        where = f"SmartModule `{module}`"
        if offset is not None:
            where += f" at offset {offset}"
        super().__init__(f"{where}: {message}", hint=hint)
        self.module = module
        self.offset = offset
        self.kind = kind
        self.rc = rc
        self.reason = message
        self.record_key = record_key
        self.record_value = record_value

    def in_batch(self, first: int, last: int, count: int) -> SmartModuleError:
        """This whole-call failure, placed: one record names its offset, a larger batch
        its range (a trap or bad return code does not say which record caused it)."""
        if count == 1:
            return SmartModuleError(self.reason, module=self.module, offset=first,
                                    hint=self.hint, kind=self.kind, rc=self.rc)
        return SmartModuleError(f"{self.reason} (in the batch of {count} records at offsets "
                                f"{first}..{last})", module=self.module, offset=None,
                                hint=self.hint, kind=self.kind, rc=self.rc)

    def to_dict(self) -> dict:
        """The JSON shape `smartmodule test --json` prints."""
        return {
            "module": self.module,
            "offset": self.offset,
            "kind": self.kind,
            "message": self.reason,
            "hint": self.hint,
            "rc": self.rc,
        }


class InvalidSmartModule(WeirError):
    """The file is not a SmartModule this host can run; the message says why."""


class DecodeError(ValueError):
    """Bytes that do not follow the Fluvio encoding; the message says where."""
