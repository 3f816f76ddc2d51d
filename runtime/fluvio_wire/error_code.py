"""Fluvio's ErrorCode: an i16 tag followed by the variant's fields
(`crates/fluvio-protocol/src/link/error_code.rs`). Only the variants Weir answers with."""

from __future__ import annotations

from dataclasses import dataclass

from runtime.fluvio_wire.codec import Writer

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
SMARTMODULE_NOT_FOUND = 6001
COMPRESSION_ERROR = 9000
SYSTEM_SPEC_DELETION_ATTEMPT = 12001


@dataclass(frozen=True, slots=True)
class ErrorCode:
    """One ErrorCode value. `message` is the payload of `Other`; `offset`/`next_available`
    of `OffsetEvicted`; `name` of `SmartModuleNotFound` and `SystemSpecDeletionAttempt`
    (whose `kind` is `message`)."""

    tag: int = NONE
    message: str = ""
    offset: int = 0
    next_available: int = 0
    name: str = ""

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
        return w


OK = ErrorCode()


def other(message: str) -> ErrorCode:
    return ErrorCode(OTHER, message=message)


def evicted(offset: int, next_available: int) -> ErrorCode:
    return ErrorCode(OFFSET_EVICTED, offset=offset, next_available=next_available)
