"""WebAssembly modules of a chosen shape, written byte by byte (WAT for 200,000 functions
would take longer to assemble than the test takes to run)."""

from __future__ import annotations


def leb(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        if n:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _section(section_id: int, payload: bytes) -> bytes:
    return bytes([section_id]) + leb(len(payload)) + payload


def module(functions: int, ops: int = 0) -> bytes:
    """`functions` functions () -> (), each `ops` times (i32.const 1; drop)."""
    types = _section(1, leb(1) + b"\x60\x00\x00")
    declared = _section(3, leb(functions) + b"\x00" * functions)
    body = b"\x00" + b"\x41\x01\x1a" * ops + b"\x0b"
    code = _section(10, leb(functions) + (leb(len(body)) + body) * functions)
    return b"\x00asm\x01\x00\x00\x00" + types + declared + code
