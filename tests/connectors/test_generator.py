"""The offline generator source and the producer's batching."""

from __future__ import annotations

import json

from runtime.config.spec import ConnectorSpec, ProducerOptions
from runtime.connectors.telemetry import read_events, read_metrics
from tests.connectors.helpers import Running, source_spec, topic_records, wait_for


def test_count_template_and_clean_exit():
    spec = source_spec("gen", "generator-source", "gen", rate="1000", count="25",
                       template='{"n": {{n}}, "r": {{random_int:5:7}}, "c": "{{choice:x|y}}"}',
                       key="k{{n}}")
    code = Running(spec).__enter__().wait()
    assert code == 0
    records = topic_records("gen")
    values = [json.loads(r.value) for r in records]
    assert [v["n"] for v in values] == list(range(25))
    assert all(5 <= v["r"] <= 7 and v["c"] in "xy" for v in values)
    assert records[3].key == b"k3"
    metrics = read_metrics("gen")
    assert (metrics.records_in, metrics.records_out, metrics.errors) == (25, 25, 0)
    events = list(read_events("gen"))
    assert [e.event for e in events] == ["start", "stop"]
    assert events[-1].offset == 24  # the last offset produced


def test_batches_by_size_and_linger():
    spec = ConnectorSpec(
        name="batched", type="generator", kind="source", topic="batched",
        parameters={"rate": "100000", "count": "1000", "template": "x" * 100},
        producer=ProducerOptions(linger_ms=60_000, batch_size_bytes=10_000, compression="gzip"),
    )
    assert Running(spec).__enter__().wait() == 0
    # 100-byte records, 10 kB batches: appended as ten batches, none left in the buffer
    assert len(topic_records("batched")) == 1000
    from runtime.connectors.telemetry import log_path

    log = log_path("batched").read_text()
    assert "compression gzip (recorded; the embedded store keeps values uncompressed)" in log


def test_stop_event_flushes_lingering_records():
    spec = ConnectorSpec(
        name="linger", type="generator-source", kind="source", topic="linger",
        parameters={"rate": "200"},
        producer=ProducerOptions(linger_ms=60_000, batch_size_bytes=10_000_000),
    )
    run = Running(spec).__enter__()
    import time

    time.sleep(0.3)
    assert topic_records("linger") == []  # still lingering
    assert run.stop() == 0
    produced = read_metrics("linger").records_in
    assert produced > 0 and len(topic_records("linger")) == produced


def test_interval_is_kept_exactly_one_record_each_tick():
    """`interval: 200ms` stamps records 200 ms apart, one at a time (not two every 400)."""
    spec = source_spec("ticks", "generator-source", "ticks", interval="200ms", count="6",
                       template="{{n}}")
    assert Running(spec).__enter__().wait() == 0
    stamps = [r.timestamp for r in topic_records("ticks")]
    assert len(stamps) == 6 and len(set(stamps)) == 6  # none share a tick
    gaps = [b - a for a, b in zip(stamps, stamps[1:], strict=False)]
    assert all(150 <= g <= 350 for g in gaps), gaps  # loose: a shared CI machine


def test_n_continues_after_a_restart():
    spec = source_spec("again", "generator-source", "again", rate="1000", count="5",
                       template="{{n}}")
    assert Running(spec).__enter__().wait() == 0
    assert Running(spec).__enter__().wait() == 0
    assert [int(r.value) for r in topic_records("again")] == list(range(10))
    stopped_early = Running(source_spec("again", "generator-source", "again", rate="50",
                                        template="{{n}}")).__enter__()
    wait_for(lambda: len(topic_records("again")) >= 13)
    stopped_early.stop()
    Running(spec).__enter__().wait()
    values = [int(r.value) for r in topic_records("again")]
    assert values == list(range(len(values)))  # no number twice, none skipped


def test_validate_and_the_generator_read_templates_alike():
    """Every placeholder the generator renders passes `weir validate`, and a template it
    could not render is refused there with the reason, not only when it starts."""
    from runtime.config.validate import analyze_text
    from runtime.connectors.generator_source import Template

    def problems(template: str) -> list[str]:
        text = ("apiVersion: 0.1.0\nmeta:\n  version: 0.1.0\n  name: g\n"
                "  type: generator-source\n  topic: g\ngenerator:\n"
                f"  template: '{template}'\n")
        report = analyze_text(text, "g.yaml").report
        return [d.message for d in report.diagnostics if d.severity == "error"]

    fine = '{"t": {{timestamp}}, "r": {{random:1:3}}, "n": {n}}'
    assert problems(fine) == []
    value = Template(fine).render(7, 1_000)
    assert value.startswith(b'{"t": 1000, "r": ') and value.endswith(b', "n": 7}')
    assert "LO <= HI" in problems("{{random_int:9:1}}")[0]
    assert "unknown placeholder `{{nope}}`" in problems("{{nope}}")[0]


def test_sigkill_repeats_and_skips_no_n(tmp_path):
    """`{{n}}` travels with the records (the kit's source position, one transaction): a
    generator killed with SIGKILL mid-stream resumes exactly after the last stored one."""
    import signal
    import subprocess
    import sys

    from tests.conftest import REPO

    config = tmp_path / "gen.yaml"
    config.write_text("apiVersion: 0.1.0\nmeta:\n  version: 0.1.0\n  name: killed\n"
                      "  type: generator-source\n  topic: killed\n"
                      "  producer: {linger: 1ms}\n"
                      "generator:\n  template: '{{n}}'\n  rate: 2000\n  batch: 7\n")

    def start() -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "runtime.connectors.run_main",
                                 "--config", str(config)], cwd=REPO,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    seen = 0
    for _ in range(4):
        proc = start()
        wait_for(lambda s=seen: len(topic_records("killed")) >= s + 150, timeout=60)
        proc.send_signal(signal.SIGKILL)  # mid-stream: no flush, no goodbye
        proc.wait(timeout=30)
        seen = len(topic_records("killed"))
    values = [int(r.value) for r in topic_records("killed")]
    assert values == list(range(len(values))), f"{len(values)} records after 4 kills"
