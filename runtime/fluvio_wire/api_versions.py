"""ApiVersions (18): the handshake on every connection, SC and SPU alike
(`crates/fluvio-protocol/src/link/versions.rs`)."""

from __future__ import annotations

from dataclasses import dataclass

from runtime.fluvio_wire.codec import Reader, Writer
from runtime.fluvio_wire.error_code import OK


@dataclass(frozen=True, slots=True)
class ApiVersionsRequest:
    client_version: str = ""
    client_os: str = ""
    client_arch: str = ""


def decode_request(r: Reader, version: int) -> ApiVersionsRequest:
    if version < 1:
        return ApiVersionsRequest()
    return ApiVersionsRequest(r.string(), r.string(), r.string())


def encode_response(keys: tuple[tuple[int, int, int], ...], platform_version: str) -> bytes:
    w = Writer()
    OK.encode(w)
    w.count(len(keys))
    for key, lo, hi in keys:
        w.i16(key).i16(lo).i16(hi)
    w.string(platform_version)
    return w.getvalue()
