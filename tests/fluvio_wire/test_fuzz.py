"""Any bytes given to any request decoder give a result or a DecodeError, never another
exception (which would otherwise cost the connection its task, or worse)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime.fluvio_wire import (
    admin,
    api_versions,
    batch,
    consumer_offsets,
    fetch,
    produce,
    smartmodule_invocation,
)
from runtime.fluvio_wire.codec import DecodeError, Reader
from runtime.fluvio_wire.header import decode_header

DECODERS = {
    "header": lambda r, v: decode_header(r),
    "api_versions": api_versions.decode_request,
    "create": admin.decode_create,
    "delete": admin.decode_delete,
    "list": admin.decode_list,
    "watch": admin.decode_watch,
    "produce": produce.decode_request,
    "fetch_offsets": fetch.decode_fetch_offsets,
    "stream_fetch": fetch.decode_stream_fetch,
    "update_offsets": fetch.decode_update_offsets,
    "update_consumer_offset": consumer_offsets.decode_update,
    "delete_consumer_offset": consumer_offsets.decode_delete,
    "fetch_consumer_offsets": consumer_offsets.decode_fetch,
    "smartmodule_invocation": smartmodule_invocation.decode_invocation,
    "record_set": lambda r, v: batch.decode_record_set(r),
}

# Bytes that start like real requests reach deeper branches than uniform noise does.
PREFIXES = [b"", b"\x00\x05Topic", b"\x00\x03SPU", b"\x00\x00\x00\x01\x00\x02t1",
            b"\x00\x02t1\x00\x00\x00\x00", b"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
            b"\x2d\xff\xff\xff\xff\x02"]


@pytest.mark.parametrize("name", sorted(DECODERS))
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from(PREFIXES), data=st.binary(max_size=300),
       version=st.sampled_from([0, 7, 10, 13, 14, 18, 19, 21, 23, 24, 25]))
def test_any_bytes_decode_or_raise_decode_error(name, prefix, data, version):
    try:
        DECODERS[name](Reader(prefix + data), version)
    except DecodeError:
        pass
