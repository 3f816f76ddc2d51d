"""SmartModules on Weir's Fluvio endpoint: the official client's consumer SmartModules run
in Weir's engine, by name from the registry and sent inline, each kind, with params,
chains and an aggregate's initial value; SmartModule objects through the SC API; and what
the client cannot send (look_back, produce-side modules), checked on the wire."""

from __future__ import annotations

import json
import socket
import struct

import pytest

from runtime.fluvio_wire.batch import decode_record_set, encode_batch, encode_record_set
from runtime.fluvio_wire.codec import Reader, Writer
from runtime.topics.record import Record
from tests.conftest import REPO

PREBUILT = REPO / "examples" / "smartmodules" / "prebuilt"
MODULES = {  # registered name -> prebuilt file
    "contains-filter": "contains_filter.wasm",
    "catfact-map": "catfact_map.wasm",
    "parse-int": "parse_int.wasm",
    "split-array": "split_array.wasm",
    "concat-aggregate": "concat_aggregate.wasm",
    "dedup-filter": "dedup_filter.wasm",
}
TOPICS = {
    "words": ["the cat sat", "a dog barked", "concatenate", "bird"],
    "facts": ['{"fact":"Cats sleep 70%.","length":16}', '{"length":3}'],
    "ints": ["1", " 22 ", "", "-5"],
    "arrays": ['[1, "two", {"b": 2, "a": 1}]', "[]", '["only"]'],
    "letters": ["a", "b", "c", "d"],
    "bad-ints": ["1", "2", "x", "4"],
    "dups": ["a", "b", "a", "c", "b", "d"],
}


@pytest.fixture(scope="module")
def sm_cluster(cluster):
    for name, file in MODULES.items():
        result = cluster.weir("smartmodule", "create", name, "--wasm-file", str(PREBUILT / file))
        assert result.returncode == 0, result.stderr
    for topic, values in TOPICS.items():
        assert cluster.weir("topic", "create", topic).returncode == 0
        result = cluster.weir("produce", topic, input="\n".join(values) + "\n")
        assert result.returncode == 0, result.stderr
    return cluster


# The client reads every record the chain passes (stopping after `n`), then the error if
# one comes: [[offset, key, value], ...] and the error text.
CONSUME = """
def consume(topic, n, **modules_list):
    cfg = ConsumerConfig()
    for sm in modules_list["modules"]:
        cfg.smartmodule(**sm)
    got, error = [], None
    stream = fl.partition_consumer(topic, 0).stream_with_config(Offset.beginning(), cfg)
    try:
        for rec in stream:
            got.append([rec.offset(), rec.key_string() if rec.key() else None,
                        rec.value_string()])
            if len(got) == n:
                break
    except Exception as exc:
        error = str(exc)
    return {"got": got, "error": error}

fl = Fluvio.connect_with_config(FluvioConfig.new(SC))
"""


def consume_cases(cluster, cases: dict[str, tuple[str, int, list[dict]]]) -> dict:
    """Each case: (topic, records to wait for, the smartmodule() calls)."""
    code = CONSUME + f"cases = {json.dumps(cases)}\n" + """
out = {}
for name, (topic, n, modules) in cases.items():
    for sm in modules:
        if "aggregate" in sm:
            sm["aggregate"] = list(sm["aggregate"].encode())  # the initial value, as bytes
    out[name] = consume(topic, n, modules=modules)
print(json.dumps(out))
"""
    return cluster.client(code)


def values(case: dict) -> list[str]:
    return [v for _, _, v in case["got"]]


def each_kind(by: str) -> dict:
    def sm(name: str, **extra) -> dict:
        if by == "name":
            return {"name": name, **extra}
        return {"path": str(PREBUILT / MODULES[name]), **extra}

    return {
        "filter": ("words", 2, [sm("contains-filter", params={"contains": "cat"})]),
        "map": ("facts", 2, [sm("catfact-map")]),
        "filter_map": ("ints", 3, [sm("parse-int")]),
        "array_map": ("arrays", 4, [sm("split-array")]),
        "aggregate": ("letters", 4, [sm("concat-aggregate", aggregate="1")]),
    }


EXPECTED = {
    "filter": ["the cat sat", "concatenate"],
    "map": ['"Cats sleep 70%."', "null"],
    "filter_map": ["1", "22", "-5"],
    "array_map": ["1", '"two"', '{"a":1,"b":2}', '"only"'],
    "aggregate": ["1a", "1ab", "1abc", "1abcd"],
}


@pytest.mark.parametrize("by", ["name", "inline"])
def test_each_kind_runs_on_the_server_for_the_official_client(sm_cluster, by):
    out = consume_cases(sm_cluster, each_kind(by))
    for kind, expected in EXPECTED.items():
        assert out[kind]["error"] is None, (kind, out[kind])
        assert values(out[kind]) == expected, (kind, out[kind])


def test_the_server_agrees_with_weir_consume_smartmodule(sm_cluster):
    out = consume_cases(sm_cluster, each_kind("name"))
    cli = {"filter": ("words", ["-e", "contains=cat"], "contains-filter"),
           "filter_map": ("ints", [], "parse-int"),
           "aggregate": ("letters", ["--aggregate-initial", "1"], "concat-aggregate")}
    for kind, (topic, extra, name) in cli.items():
        result = sm_cluster.weir("consume", topic, "-B", "-d", "--smartmodule", name, *extra)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines() == values(out[kind])


def test_a_filter_keeps_fluvios_offsets_and_a_map_keeps_the_records(sm_cluster):
    out = consume_cases(sm_cluster, {
        "filter": ("words", 2, [{"name": "contains-filter", "params": {"contains": "cat"}}]),
        "map": ("ints", 3, [{"name": "parse-int"}]),
    })
    # Fluvio's client numbers a batch's records by position from the batch's base
    # offset, so records a filter kept read as 0, 1 (not 0, 2) on a real cluster too
    assert [o for o, _, _ in out["filter"]["got"]] == [0, 1]
    assert [o for o, _, _ in out["map"]["got"]] == [0, 1, 2]


def test_a_chain_runs_in_order_with_params(sm_cluster):
    out = consume_cases(sm_cluster, {
        "chain": ("ints", 1, [{"name": "parse-int"},
                              {"name": "contains-filter", "params": {"contains": "2"}}]),
        "chain-agg": ("letters", 1, [{"name": "contains-filter",
                                      "params": {"contains": "b"}},
                                     {"name": "concat-aggregate", "aggregate": "x"}]),
    })
    assert values(out["chain"]) == ["22"], out["chain"]
    assert values(out["chain-agg"]) == ["xb"], out["chain-agg"]


def test_a_record_error_reaches_the_client_as_fluvio_reports_it(sm_cluster):
    out = consume_cases(sm_cluster, {
        "bad": ("bad-ints", 10, [{"name": "parse-int"}]),
        "missing": ("letters", 1, [{"name": "no-such-module"}]),
        "init": ("letters", 1, [{"name": "contains-filter"}]),  # needs `contains`
    })
    bad = out["bad"]
    assert values(bad) == ["1", "2"]  # the records before the failing one come first
    assert bad["error"].startswith("SmartModule transform error invalid digit found in string")
    assert "Type: FilterMap" in bad["error"] and "Offset: 2" in bad["error"]
    assert "Value: x" in bad["error"]
    assert out["missing"]["got"] == []
    assert out["missing"]["error"] == "SmartModule no-such-module was not found"
    assert "Error initializing" in out["init"]["error"]
    assert "contains" in out["init"]["error"]


def test_smartmodule_objects_through_the_client_and_weir_share_one_registry(sm_cluster):
    out = sm_cluster.client(f"""
        admin = FluvioAdmin.connect_with_config(FluvioConfig.new(SC))
        admin.create_smartmodule("client-split", {str(PREBUILT / "split_array.wasm")!r}, False)
        listed = sorted(m.name() for m in admin.list_smartmodules([]))
        named = [m.name() for m in admin.list_smartmodules(["client-split"])]
        partial = [m.name() for m in admin.list_smartmodules(["client"])]
        errors = {{}}
        for name, path in (("client-split", {str(PREBUILT / "split_array.wasm")!r}),
                           ("Bad_Name", {str(PREBUILT / "split_array.wasm")!r}),
                           ("not-wasm", {str(REPO / "README.md")!r})):
            try:
                admin.create_smartmodule(name, path, False)
            except Exception as exc:
                errors[name] = str(exc)
        fl = Fluvio.connect_with_config(FluvioConfig.new(SC))
        cfg = ConsumerConfig()
        cfg.smartmodule(name="client-split")
        stream = fl.partition_consumer("arrays", 0).stream_with_config(Offset.beginning(), cfg)
        first = next(stream).value_string()
        watch = admin.watch_smartmodule()
        snapshot = sorted(m.name() for m in next(watch).all())
        admin.delete_smartmodule("client-split")
        change = next(watch).changes()
        deleted = [(c.is_delete(), c.metadata_smart_module_spec().name()) for c in change]
        try:
            admin.delete_smartmodule("client-split")
        except Exception as exc:
            errors["delete-again"] = str(exc)
        print(json.dumps({{"listed": listed, "named": named, "partial": partial,
                          "errors": errors, "first": first,
                          "snapshot": snapshot, "deleted": deleted}}))
    """)
    assert "client-split" in out["listed"] and "parse-int" in out["listed"]
    assert out["named"] == ["client-split"] and out["partial"] == []  # names, not parts
    assert out["first"] == "1"
    assert "client-split" in out["snapshot"]
    assert out["deleted"] == [[True, "client-split"]]
    assert "already exists" in out["errors"]["client-split"]
    assert "lowercase" in out["errors"]["Bad_Name"]
    assert "neither WebAssembly" in out["errors"]["not-wasm"]
    assert "not found" in out["errors"]["delete-again"]
    listing = json.loads(sm_cluster.weir("smartmodule", "list", "-O", "json").stdout)
    assert "client-split" not in [m["name"] for m in listing]


def test_a_module_created_by_the_client_appears_in_weir_smartmodule_list(sm_cluster):
    sm_cluster.client(f"""
        admin = FluvioAdmin.connect_with_config(FluvioConfig.new(SC))
        admin.create_smartmodule("kept-split", {str(PREBUILT / "split_array.wasm")!r}, False)
        print("{{}}")
    """)
    listing = json.loads(sm_cluster.weir("smartmodule", "list", "-O", "json").stdout)
    entry = next(m for m in listing if m["name"] == "kept-split")
    assert entry["kind"] == "array_map"
    result = sm_cluster.weir("consume", "arrays", "-B", "-d", "--smartmodule", "kept-split")
    assert result.stdout.splitlines()[:2] == ["1", '"two"']


# -- on the wire: what the Python client cannot send -------------------------------------

def _frame(api_key: int, version: int, body: bytes, correlation_id: int = 5) -> bytes:
    payload = Writer().u16(api_key).i16(version).i32(correlation_id).string("test").getvalue()
    return struct.pack(">i", len(payload) + len(body)) + payload + body


def _read_frame(sock: socket.socket) -> Reader:
    def exactly(n: int) -> bytes:
        data = b""
        while len(data) < n:
            chunk = sock.recv(n - len(data))
            assert chunk, "the server closed the connection"
            data += chunk
        return data

    (size,) = struct.unpack(">i", exactly(4))
    r = Reader(exactly(size))
    r.i32()  # correlation id
    return r


def _invocation(w: Writer, name: str | bytes, params: dict[str, str],
                lookback_last: int | None) -> None:
    if isinstance(name, bytes):
        w.u8(1).bytes_(name).u8(0)  # AdHoc(gzip'd wasm), kind Filter
    else:
        w.u8(0).string(name).u8(0)  # Predefined(name), kind Filter
    w.string_map(params)
    if lookback_last is None:
        w.bool(False)
    else:
        w.bool(True).u64(lookback_last).bool(False)  # Lookback{last, age: None}


def stream_fetch(address: str, topic: str, offset: int, modules: list[tuple]) -> dict:
    """One StreamFetch v24; the first frame's fields and its records' values."""
    w = Writer().string(topic).u32(0).i64(offset).i32(1_000_000).u8(0).count(len(modules))
    for module in modules:
        _invocation(w, *module)
    w.bool(False)  # consumer_id
    host, port = address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        sock.sendall(_frame(1003, 24, w.getvalue()))
        r = _read_frame(sock)
    r.string()
    r.u32()  # stream id
    r.u32()  # partition
    error = r.i16()
    if error:
        return {"error": error}
    hw, next_filter, _start = r.i64(), r.i64(), r.i64()
    r.bool()
    batches = decode_record_set(r)
    return {"error": 0, "hw": hw, "next_filter_offset": next_filter,
            "base_offsets": [b.base_offset for b in batches],
            "values": [rec.value.decode() for b in batches for rec in b.records]}


def test_look_back_feeds_the_last_records_before_the_stream(sm_cluster):
    # dups: a b a c b d. The dedup filter alone passes a b c d.
    plain = stream_fetch(sm_cluster.spu, "dups", 0, [("dedup-filter", {}, None)])
    assert plain["values"] == ["a", "b", "c", "d"]
    # told of the last 2 records (b d) first, it passes a and c only
    two = stream_fetch(sm_cluster.spu, "dups", 0, [("dedup-filter", {}, 2)])
    assert two["values"] == ["a", "c"]
    # told of all 6, nothing: the stream's first frame comes empty
    every = stream_fetch(sm_cluster.spu, "dups", 0, [("dedup-filter", {}, 6)])
    assert every["values"] == [] and every["error"] == 0


def test_inline_modules_that_cannot_run_get_fluvios_error_codes(sm_cluster):
    import gzip

    wasm = (PREBUILT / "contains_filter.wasm").read_bytes()
    cases = {
        "not gzip'd": (wasm, 6002),  # SmartModuleInvalid: the bytes do not unzip
        "not wasm": (gzip.compress(b"hello"), 6005),  # SmartModuleChainInitError
        "fine": (gzip.compress(wasm), 0),
    }
    for label, (payload, code) in cases.items():
        out = stream_fetch(sm_cluster.spu, "words", 0, [(payload, {"contains": "dog"}, None)])
        assert out["error"] == code, label
    assert out["values"] == ["a dog barked"]


def test_next_filter_offset_is_set_as_fluvio_sets_it(sm_cluster):
    out = stream_fetch(sm_cluster.spu, "words", 0,
                       [("contains-filter", {"contains": "dog"}, None)])
    assert out["values"] == ["a dog barked"]
    assert out["base_offsets"] == [0]  # the chunk's base offset, the record's delta kept
    assert out["next_filter_offset"] == 4  # past the whole input read
    assert out["hw"] == 4


def _produce(address: str, topic: str, values: list[str], modules: list[tuple]) -> tuple:
    records = [Record(i, 1_700_000_000_000, None, v.encode()) for i, v in enumerate(values)]
    w = Writer().bool(False).i16(1).i32(1500).count(1).string(topic).count(1).u32(0)
    w.raw(encode_record_set([encode_batch(records)]))
    w.count(len(modules))
    for module in modules:
        _invocation(w, *module)
    host, port = address.rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=20) as sock:
        sock.sendall(_frame(0, 24, w.getvalue()))
        r = _read_frame(sock)
    r.count()
    r.string()
    r.count()
    r.u32()
    error = r.i16()
    if error == 6004:  # SmartModuleRuntimeError{hint, offset, kind, key, value}
        return error, r.string()
    return error, r.i64()


def test_produce_side_smartmodules_transform_before_storing(sm_cluster):
    assert sm_cluster.weir("topic", "create", "produced").returncode == 0
    error, base = _produce(sm_cluster.spu, "produced", ["cat", "dog", "bat"],
                           [("contains-filter", {"contains": "at"}, None)])
    assert (error, base) == (0, 0)
    error, hint = _produce(sm_cluster.spu, "produced", ["7", "x"], [("parse-int", {}, None)])
    assert error == 6004 and "invalid digit" in hint
    error, base = _produce(sm_cluster.spu, "produced", ["dog"],
                           [("contains-filter", {"contains": "at"}, None)])
    assert (error, base) == (0, 0)  # all filtered away: nothing stored, no error
    result = sm_cluster.weir("consume", "produced", "-B", "-d")
    assert result.stdout.splitlines() == ["cat", "bat"]
