"""Fluvio's ErrorCode: an i16 tag followed by the variant's fields
(`crates/fluvio-protocol/src/link/error_code.rs`). Only the variants Weir answers with."""

from __future__ import annotations

from dataclasses import dataclass

from runtime.fluvio_wire.codec import Writer, encode_varint


@dataclass(frozen=True, slots=True)
class TransformError:
    """SmartModuleTransformRuntimeError (`crates/fluvio-protocol/src/link/smartmodule.rs`):
    the record a module failed on, `kind` Filter 0, Map 1, ArrayMap 2, Aggregate 3,
    FilterMap 4."""

    hint: str
    offset: int
    kind: int
    record_key: bytes | None
    record_value: bytes

    def encode(self, w: Writer) -> None:
        w.string(self.hint).i64(self.offset).u8(self.kind)
        if self.record_key is None:
            w.bool(False)
        else:
            w.bool(True).raw(encode_varint(len(self.record_key))).raw(self.record_key)
        w.raw(encode_varint(len(self.record_value))).raw(self.record_value)

UNKNOWN_SERVER_ERROR = -1
NONE = 0
OFFSET_OUT_OF_RANGE = 1
OTHER = 2
NOT_LEADER_FOR_PARTITION = 6
MESSAGE_TOO_LARGE = 10
STORAGE_ERROR = 56
INVALID_CREATE_REQUEST = 60
INVALID_DELETE_REQUEST = 61
OFFSET_EVICTED = 71
SPU_NOT_FOUND = 1003
TOPIC_ERROR = 2000
TOPIC_NOT_FOUND = 2001
TOPIC_ALREADY_EXISTS = 2002
TOPIC_INVALID_CONFIGURATION = 2004
TOPIC_INVALID_NAME = 2006
TOPIC_DELETED = 2007
TOPIC_INVALID_REPLICA_TYPE = 2008
PARTITION_NOT_LEADER = 3001
FETCH_SESSION_NOT_FOUND = 3002
OFFSET_MANAGEMENT_DISABLED = 3004
SMARTMODULE_ERROR = 6000
SMARTMODULE_NOT_FOUND = 6001
SMARTMODULE_INVALID = 6002
SMARTMODULE_RUNTIME_ERROR = 6004
SMARTMODULE_CHAIN_INIT_ERROR = 6005
SMARTMODULE_LOOK_BACK_ERROR = 6007
COMPRESSION_ERROR = 9000
SYSTEM_SPEC_DELETION_ATTEMPT = 12001


@dataclass(frozen=True, slots=True)
class ErrorCode:
    """One ErrorCode value. `message` is the payload of `Other`; `offset`/`next_available`
    of `OffsetEvicted`; `name` of `SmartModuleNotFound` and `SystemSpecDeletionAttempt`
    (whose `kind` is `message`); `transform` of `SmartModuleRuntimeError`. The String of
    `SmartModuleChainInitError`/`SmartModuleLookBackError` is `message`, as is
    `SmartModuleInvalid`'s error (its optional name is `name`, "" for None)."""

    tag: int = NONE
    message: str = ""
    offset: int = 0
    next_available: int = 0
    name: str = ""
    transform: TransformError | None = None

    @property
    def ok(self) -> bool:
        return self.tag == NONE

    def encode(self, w: Writer) -> Writer:
        w.i16(self.tag)
        if self.tag == OTHER:
            w.string(self.message)
        elif self.tag == OFFSET_EVICTED:
            w.i64(self.offset).i64(self.next_available)
        elif self.tag == SMARTMODULE_NOT_FOUND:
            w.string(self.name)
        elif self.tag == SYSTEM_SPEC_DELETION_ATTEMPT:
            w.string(self.message).string(self.name)
        elif self.tag in (SMARTMODULE_CHAIN_INIT_ERROR, SMARTMODULE_LOOK_BACK_ERROR):
            w.string(self.message)
        elif self.tag == SMARTMODULE_INVALID:
            w.string(self.message).option_string(self.name or None)
        elif self.tag == SMARTMODULE_RUNTIME_ERROR:
            (self.transform or TransformError("", -1, 0, None, b"")).encode(w)
        return w


OK = ErrorCode()


def other(message: str) -> ErrorCode:
    return ErrorCode(OTHER, message=message)


def evicted(offset: int, next_available: int) -> ErrorCode:
    return ErrorCode(OFFSET_EVICTED, offset=offset, next_available=next_available)
