"""The http sink delivering into a real local server: retries, bad records, commits."""

from __future__ import annotations

from runtime.connectors.telemetry import log_path, read_events, read_metrics
from tests.connectors.helpers import Running, committed, produce, sink_spec, wait_for
from tests.connectors.servers import CatFacts


def test_delivers_every_record_in_order_through_retries():
    produce("out", [f"record {i}" for i in range(5)])
    with CatFacts() as server:
        server.sink_failures = 2  # 503 twice: retried with backoff
        spec = sink_spec("poster", "http-sink", "out", endpoint=server.url + "/sink",
                         headers=["Content-Type: text/plain", "X-Token: t0k"],
                         backoff_min="10ms", backoff_max="50ms")
        with Running(spec) as run:
            wait_for(lambda: committed("poster", "out") == 5, what="offset 5 committed")
            assert run.stop() == 0
    assert server.received == [f"record {i}".encode() for i in range(5)]
    posts = [r for r in server.requests if r["path"] == "/sink"]
    assert len(posts) == 7
    assert posts[-1]["headers"]["X-Token"] == "t0k"
    assert posts[-1]["headers"]["Content-Type"] == "text/plain"
    assert read_metrics("poster").records_out == 5
    assert list(read_events("poster"))[-1].offset == 5  # the committed offset


def test_rejected_record_is_skipped_with_its_offset():
    produce("rej", ["a", "reject", "b"])
    with CatFacts() as server:
        spec = sink_spec("skipper", "http-sink", "rej", endpoint=server.url + "/sink")
        with Running(spec) as run:
            wait_for(lambda: committed("skipper", "rej") == 3)
            assert run.stop() == 0
    assert server.received == [b"a", b"b"]
    errors = [e for e in read_events("skipper") if e.event == "error"]
    assert [e.offset for e in errors] == [1]
    assert "HTTP 400" in errors[0].message
    assert read_metrics("skipper").errors == 1


def test_stop_policy_ends_at_the_bad_record_and_leaves_it_uncommitted():
    produce("rej2", ["a", "reject", "b"])
    with CatFacts() as server:
        spec = sink_spec("stopper", "http-sink", "rej2", endpoint=server.url + "/sink",
                         **{"on-error": "stop"})
        code = Running(spec).__enter__().wait()
    assert code == 1
    assert server.received == [b"a"]
    assert committed("stopper", "rej2") == 1
    assert [e.event for e in read_events("stopper")][-1] == "failed"


def test_resumes_from_committed_offset_without_redelivery():
    produce("resume", ["1", "2"])
    with CatFacts() as server:
        spec = sink_spec("resumer", "http-sink", "resume", endpoint=server.url + "/sink")
        with Running(spec) as run:
            wait_for(lambda: committed("resumer", "resume") == 2)
            run.stop()
        produce("resume", ["3"])
        with Running(spec) as run:
            wait_for(lambda: committed("resumer", "resume") == 3)
            run.stop()
    assert server.received == [b"1", b"2", b"3"]


def test_all_partitions_and_an_explicit_consumer_id():
    import dataclasses

    from runtime.config.spec import ConsumerOptions

    produce("two", ["p0-a", "p0-b"], partitions=2, partition=0)
    produce("two", ["p1-a"], partitions=2, partition=1)
    with CatFacts() as server:
        spec = sink_spec("parts", "http-sink", "two", endpoint=server.url + "/sink")
        spec = dataclasses.replace(spec, consumer=ConsumerOptions(
            start="beginning", id="team-a"))
        with Running(spec) as run:
            wait_for(lambda: committed("team-a", "two", 0) == 2 and
                     committed("team-a", "two", 1) == 1)
            run.stop()
    assert sorted(server.received) == [b"p0-a", b"p0-b", b"p1-a"]
    assert committed("parts", "two", 0) is None  # offsets are kept under the consumer id


def test_strategy_none_never_commits_and_start_end_skips_history():
    import dataclasses

    from runtime.config.spec import ConsumerOptions

    produce("hist", ["old"])
    with CatFacts() as server:
        spec = sink_spec("fresh", "http-sink", "hist", endpoint=server.url + "/sink")
        spec = dataclasses.replace(spec, consumer=ConsumerOptions(
            start="end", offset_strategy="none"))
        with Running(spec) as run:
            wait_for(lambda: log_path("fresh").exists() and
                     "consuming" in log_path("fresh").read_text())
            produce("hist", ["new"])
            wait_for(lambda: server.received == [b"new"])
            run.stop()
    assert committed("fresh", "hist") is None


def test_used_up_retries_fail_the_connector_with_the_record_uncommitted():
    produce("down", ["x", "y"])
    with CatFacts() as server:
        server.sink_failures = 100
        spec = sink_spec("gives-up", "http-sink", "down", endpoint=server.url + "/sink",
                         retries="2", **{"backoff-min": "10ms", "backoff-max": "20ms"})
        assert Running(spec).__enter__().wait() == 1
    assert committed("gives-up", "down") is None  # the next start delivers "x" again
    assert "still failing after 2 retries" in read_metrics("gives-up").last_error
    assert len([r for r in server.requests if r["path"] == "/sink"]) == 3
