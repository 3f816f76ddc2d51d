"""The TOML writer keeps whatever a user's Fluvio config holds: what tomllib reads back
equals what was written."""

from __future__ import annotations

import datetime
import tomllib

from hypothesis import given, settings
from hypothesis import strategies as st

from runtime import toml_write

keys = st.text(min_size=1, max_size=8)
scalars = (st.text(max_size=20) | st.integers(-2**63, 2**63 - 1) | st.booleans()
           | st.floats(allow_nan=False))
values = st.recursive(scalars | st.lists(scalars, max_size=3),
                      lambda inner: st.dictionaries(keys, inner, max_size=3), max_leaves=12)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(keys, values, max_size=5))
def test_round_trip(data):
    assert tomllib.loads(toml_write.dumps(data)) == data


def test_a_fluvio_config_with_everything_it_may_hold():
    text = """version = "2.0"
current_profile = "local"

[profile.local]
cluster = "local"

[cluster.local]
endpoint = "127.0.0.1:9003"
use_spu_local_address = false

[cluster.local.tls]
tls_policy = "disabled"

[cluster.local.metadata.installation]
type = "local"

[[plugins]]
name = "x"
when = 2024-01-02T03:04:05Z
"""
    data = tomllib.loads(text)
    assert tomllib.loads(toml_write.dumps(data)) == data
    assert data["plugins"][0]["when"] == datetime.datetime(2024, 1, 2, 3, 4, 5,
                                                           tzinfo=datetime.UTC)
