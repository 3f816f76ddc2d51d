"""The api keys of the requests Weir serves, and the versions it advertises for them
(`crates/fluvio-sc-schema/src/apis.rs`, `crates/fluvio-spu-schema/src/server/api_key.rs`).

The version ranges follow Fluvio 0.17.3: SC objects at 19 (the client takes
min(its max, ours)), SPU requests at 24, which 0.18 clients (max 25, min 24) accept too.
"""

from __future__ import annotations

API_VERSIONS = 18

# SC (control plane)
CREATE = 1001
DELETE = 1002
LIST = 1003
WATCH = 1004

# SPU (data plane)
PRODUCE = 0
FETCH_OFFSETS = 1002
STREAM_FETCH = 1003
UPDATE_OFFSETS = 1005
UPDATE_CONSUMER_OFFSET = 1006
DELETE_CONSUMER_OFFSET = 1007
FETCH_CONSUMER_OFFSETS = 1008

# (api key, min version, max version) as ApiVersions lists them.
SC_VERSIONS: tuple[tuple[int, int, int], ...] = (
    (API_VERSIONS, 0, 2),
    (CREATE, 11, 19),
    (DELETE, 11, 19),
    (LIST, 15, 19),
    (WATCH, 15, 19),
)
SPU_VERSIONS: tuple[tuple[int, int, int], ...] = (
    (API_VERSIONS, 0, 2),
    (PRODUCE, 0, 24),
    (FETCH_OFFSETS, 23, 24),
    (STREAM_FETCH, 18, 24),
    (UPDATE_OFFSETS, 0, 0),
    (UPDATE_CONSUMER_OFFSET, 24, 24),
    (DELETE_CONSUMER_OFFSET, 24, 24),
    (FETCH_CONSUMER_OFFSETS, 24, 24),
)
# The platform version the SC reports (semver, >= 0.9.0 for the client to accept it).
PLATFORM_VERSION = "0.17.3"
