"""A request's header and a response's frame (`crates/fluvio-protocol/src/api/`).

A request is `api_key u16, api_version i16, correlation_id i32, client_id String`, always
at version 0, then the body at `api_version`. A response is `correlation_id i32` + body,
the whole prefixed by its i32 size.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

from runtime.fluvio_wire.codec import Reader

_SIZE_AND_ID = struct.Struct(">ii")


@dataclass(frozen=True, slots=True)
class RequestHeader:
    api_key: int
    api_version: int
    correlation_id: int
    client_id: str


def decode_header(r: Reader) -> RequestHeader:
    return RequestHeader(r.u16(), r.i16(), r.i32(), r.string())


def response_frame(correlation_id: int, body: bytes) -> bytes:
    """The whole frame of a response: size, correlation id, body."""
    return _SIZE_AND_ID.pack(len(body) + 4, correlation_id) + body
