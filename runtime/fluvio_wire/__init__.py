"""Fluvio's own wire protocol, served by the local cluster so that the official Fluvio
clients (Python, Node, the `fluvio` CLI, cdk connectors) work against Weir's topics.

codec: primitives and bounded reading; error_code; batch: record batches; header,
api_keys, api_versions, admin, objects, produce, fetch, consumer_offsets,
smartmodule_invocation: the messages; connection: one client; watch_hub: metadata
watches; sc and spu: the two services; stream: one StreamFetch session; backend: the
store they serve; listen and server: the listeners. `../shared/docs/fluvio-wire.md` in
the project notes has the byte layouts.
"""
