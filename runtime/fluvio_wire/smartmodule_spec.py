"""The SmartModuleSpec a client's Create carries
(`crates/fluvio-controlplane-metadata/src/smartmodule/{spec,package,params}.rs`), from
version 10 on: `meta Option<SmartModuleMetadata>`, `summary Option<{wasm_length u32}>`,
`wasm {format u8, payload ByteBuf}` where the payload is gzip'd wasm.

A module with package metadata is registered under Weir's full name `group/name@version`,
one without under the name the client gave.
"""

from __future__ import annotations

from dataclasses import dataclass

from runtime.fluvio_wire.codec import DecodeError, Reader

V2_FORMAT = 10  # older clients sent the pre-0.10 layout


@dataclass(frozen=True, slots=True)
class Package:
    name: str
    group: str
    version: str

    @property
    def full_name(self) -> str:
        return f"{self.group}/{self.name}@{self.version}"


@dataclass(frozen=True, slots=True)
class SmartModuleRequest:
    package: Package | None
    gzipped_wasm: bytes


def _package(r: Reader, version: int) -> Package:
    name, group, pkg_version = r.string(), r.string(), r.string()
    r.string()  # api_version
    r.option(Reader.string)  # description
    r.option(Reader.string)  # license
    if version >= 19:
        r.u8()  # visibility
    r.option(Reader.string)  # repository
    for _ in range(r.u16()):  # params: name -> {description Option<String>, optional}
        r.string()
        r.option(Reader.string)
        r.bool()
    return Package(name, group, pkg_version)


def decode_smartmodule_spec(r: Reader, version: int) -> SmartModuleRequest:
    if version < V2_FORMAT:
        raise DecodeError(f"SmartModule objects before version {V2_FORMAT} are not served")
    package = r.option(lambda x: _package(x, version))
    r.option(Reader.u32)  # summary: only sent by the SC
    fmt = r.u8()
    if fmt not in (0, 1):
        raise DecodeError(f"unknown SmartModule wasm format {fmt}")
    return SmartModuleRequest(package, r.bytes_())
