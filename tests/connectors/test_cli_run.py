"""`weir connector run` and `python -m runtime.connectors.run_main` as a user runs them:
real subprocesses, real signals."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

from runtime.connectors.telemetry import connector_dir, log_path, read_metrics
from tests.conftest import REPO, run_weir
from tests.connectors.helpers import committed, produce, topic_records, wait_for
from tests.connectors.servers import FACTS, CatFacts

CATFACT_WASM = REPO / "examples" / "smartmodules" / "prebuilt" / "catfact_map.wasm"


def write(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text))
    return path


def spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, *args], cwd=REPO, env=dict(os.environ),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_run_file_until_count_then_exit_zero(tmp_path):
    config = write(tmp_path / "gen.yaml", """\
        apiVersion: 0.1.0
        meta:
          version: 0.1.0
          name: gen-cli
          type: generator-source
          topic: gen-cli
        generator:
          template: '{"n": {{n}}}'
          rate: 500
          count: 20
        """)
    result = run_weir("connector", "run", str(config))
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert "generator: 500 records/s, 20 records" in result.stderr
    assert [json.loads(r.value)["n"] for r in topic_records("gen-cli")] == list(range(20))
    assert not (connector_dir("gen-cli") / "process.json").exists()


def test_ctrl_c_stops_cleanly_and_process_file_comes_and_goes(tmp_path):
    config = write(tmp_path / "gen.yaml", """\
        version: 0.3.0
        name: forever
        type: generator
        topic: forever
        parameters:
          rate: 100
        producer:
          linger: 1h
        """)
    proc = spawn("-m", "tui.cli.main", "connector", "run", str(config))
    info_path = connector_dir("forever") / "process.json"
    wait_for(lambda: info_path.exists() and read_metrics("forever").records_in > 5)
    info = json.loads(info_path.read_text())
    assert info["pid"] == proc.pid and info["mode"] == "process"
    assert info["config"] == str(config) and info["started_at"] > 0
    assert topic_records("forever") == []  # lingering for an hour
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    produced = read_metrics("forever").records_in
    assert len(topic_records("forever")) == produced  # flushed on the way out
    assert not info_path.exists()


def test_seed_command_line_style_with_catfact_map():
    with CatFacts() as server:
        proc = spawn("-m", "tui.cli.main", "connector", "run", "http", "--",
                     f"--endpoint={server.url}/fact", "--fluvio-topic=cat-facts",
                     "--interval=50ms", f"--map={CATFACT_WASM}",
                     "--header=X-One: 1", "--header=X-Two: 2")
        wait_for(lambda: len(topic_records("cat-facts")) >= 3, timeout=30)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    facts = [json.loads(r.value) for r in topic_records("cat-facts")[:3]]
    assert facts == FACTS[:3]  # the map left each fact as a JSON string
    headers = server.requests[0]["headers"]
    assert headers["X-One"] == "1" and headers["X-Two"] == "2"
    generated = connector_dir("http-cat-facts") / "command-line.yaml"
    assert "fluvio-topic" not in generated.read_text()


def test_warnings_are_shown_before_running(tmp_path):
    """A typo'd key is ignored by the connector, so the run must say so."""
    config = write(tmp_path / "gen.yaml", """\
        apiVersion: 0.1.0
        meta:
          version: 0.1.0
          name: gen-typo
          type: generator-source
          topic: gen-typo
        generator:
          template: 'x'
          rate: 500
          count: 2
          intervall: 1s
        """)
    result = run_weir("connector", "run", str(config))
    assert result.returncode == 0, result.stderr
    assert "gen.yaml:11:3: warning[unknown-key]: unknown key `intervall`" in result.stderr
    assert "did you mean `interval`?" in result.stderr


def test_seed_style_problems_name_the_flag():
    result = run_weir("connector", "run", "http", "--", "--fluvio-topic=t", "--interval=abc",
                      "--endpoint=http://127.0.0.1:1/")
    assert result.returncode == 1
    assert "--interval=abc: error[invalid-duration]" in result.stderr, result.stderr
    assert "command-line.yaml" not in result.stderr
    result = run_weir("connector", "run", "http", "--", "--fluvio-topic=t")
    assert result.returncode == 1
    assert "error[missing-field]: missing flag --endpoint" in result.stderr, result.stderr
    result = run_weir("connector", "run", "htp", "--", "--fluvio-topic=t")
    assert result.returncode == 1
    assert "htp: warning[unknown-connector-type]" in result.stderr, result.stderr


def test_seed_style_unknown_flags_are_refused_with_did_you_mean():
    """As validate reports unknown keys: the typo'd flag named, not the one it hides."""
    result = run_weir("connector", "run", "http", "--", "--fluvio-topic=t",
                      "--endpont=http://127.0.0.1:1/")
    assert result.returncode == 2
    assert result.stderr.startswith("error: unknown flag --endpont for connector type `http`")
    assert "hint: did you mean --endpoint?" in result.stderr
    assert "missing" not in result.stderr  # not a complaint about --endpoint
    result = run_weir("connector", "run", "generator", "--", "--fluvio-topic=t", "--count=1",
                      "--rat=5", "--zzz")
    assert result.returncode == 2
    assert "unknown flags --rat, --zzz" in result.stderr
    assert "--rat: did you mean --rate?" in result.stderr
    assert "--zzz: valid flags here: --template" in result.stderr
    assert topic_records("t") == []  # nothing ran


def test_seed_style_without_topic_is_a_usage_error():
    result = run_weir("connector", "run", "http", "--", "--endpoint=http://127.0.0.1:1/")
    assert result.returncode == 2
    assert "--fluvio-topic" in result.stderr and "Traceback" not in result.stderr


def test_missing_file_and_invalid_config(tmp_path):
    result = run_weir("connector", "run", str(tmp_path / "nope.yaml"))
    assert result.returncode == 2 and "no such file" in result.stderr
    bad = write(tmp_path / "bad.yaml", """\
        version: 0.3.0
        name: bad
        type: http
        topic: t
        parameters:
          interval: 1
          output_type: xml
        """)
    result = run_weir("connector", "run", str(bad))
    assert result.returncode == 1
    assert "output_type" in result.stderr and "Traceback" not in result.stderr
    # an option `run` does not have, after an existing file: named as the mistake, not
    # "no such file" about the file that is there
    result = run_weir("connector", "run", str(bad), "--follow")
    assert result.returncode == 2 and "no such file" not in result.stderr
    assert "unexpected --follow after the config file" in result.stderr


def test_secrets_never_reach_the_terminal_or_the_log(tmp_path):
    secrets = write(tmp_path / "secrets", "TOKEN=hunter2-very-secret\n")
    config = write(tmp_path / "s.yaml", """\
        apiVersion: 0.1.0
        meta:
          version: 0.1.0
          name: secretive
          type: http-source
          topic: secretive
          secrets:
            - name: TOKEN
        http:
          endpoint: "http://127.0.0.1:9/${{ secrets.TOKEN }}"
          interval: 50ms
          headers: ["Authorization: Bearer ${{ secrets.TOKEN }}"]
        """)
    proc = spawn("-m", "tui.cli.main", "connector", "run", str(config),
                 "--secrets", str(secrets))
    wait_for(lambda: read_metrics("secretive").errors >= 2)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert "127.0.0.1:9/" in err  # the failing URL is shown ...
    log = log_path("secretive").read_text()
    for text in (err, log, read_metrics("secretive").last_error or ""):
        assert "hunter2" not in text  # ... with the secret masked


def test_a_one_character_secret_does_not_shred_the_output(tmp_path):
    """Masked where it stands alone, not inside every word: the terminal stays readable
    and validation said it could not be masked reliably."""
    secrets = write(tmp_path / "secrets", "PIN=e\n")
    config = write(tmp_path / "s.yaml", """\
        apiVersion: 0.1.0
        meta:
          version: 0.1.0
          name: short-pin
          type: http-source
          topic: short-pin
          secrets:
            - name: PIN
        http:
          endpoint: "http://127.0.0.1:9/pin/${{ secrets.PIN }}"
          interval: 50ms
        """)
    proc = spawn("-m", "tui.cli.main", "connector", "run", str(config),
                 "--secrets", str(secrets))
    wait_for(lambda: read_metrics("short-pin").errors >= 2)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "warning[short-secret]: secret `PIN` is only 1 character long" in err
    assert "running http-source connector `short-pin`" in err
    assert "127.0.0.1:9/pin/******" in err  # the token itself is still masked
    assert "/pin/e" not in err + log_path("short-pin").read_text()


def test_sigterm_flushes_and_commits_and_the_sink_resumes_without_loss(tmp_path):
    produce("orders", [f"order {i}" for i in range(60)])
    with CatFacts() as server:
        server.sink_delay = 0.02
        config = write(tmp_path / "sink.yaml", f"""\
            apiVersion: 0.1.0
            meta:
              version: 0.1.0
              name: order-sink
              type: http-sink
              topic: orders
              consumer:
                offset:
                  strategy: auto
                  start: beginning
            http:
              endpoint: {server.url}/sink
            """)
        first = spawn("-m", "runtime.connectors.run_main", "--config", str(config))
        wait_for(lambda: len(server.received) >= 10)
        first.send_signal(signal.SIGTERM)
        first.communicate(timeout=20)
        assert first.returncode == 0
        delivered_first = len(server.received)
        assert 10 <= delivered_first < 60
        assert committed("order-sink", "orders") == delivered_first  # exactly what landed
        second = spawn("-m", "runtime.connectors.run_main", "--config", str(config))
        wait_for(lambda: committed("order-sink", "orders") == 60, timeout=30)
        second.send_signal(signal.SIGTERM)
        second.communicate(timeout=20)
        assert second.returncode == 0
    assert server.received == [f"order {i}".encode() for i in range(60)]  # no loss, no dup


def test_docs_walkthrough_offline_consume_shows_facts_as_json_strings():
    with CatFacts() as server:
        proc = spawn("-m", "tui.cli.main", "connector", "run", "http", "--",
                     f"--endpoint={server.url}/fact", "--fluvio-topic=cat-facts",
                     "--interval=20ms", f"--map={CATFACT_WASM}")
        wait_for(lambda: len(topic_records("cat-facts")) >= 3, timeout=30)
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=20)
    consumed = run_weir("consume", "cat-facts", "-B", "-d")
    assert consumed.returncode == 0, consumed.stderr
    lines = consumed.stdout.splitlines()
    assert len(lines) >= 3
    assert lines[:3] == [json.dumps(fact) for fact in FACTS]


def test_second_ctrl_c_stops_at_once(tmp_path):
    import time

    produce("slow", ["a", "b", "c"])
    with CatFacts() as server:
        server.sink_delay = 10
        config = write(tmp_path / "slow.yaml", f"""\
            apiVersion: 0.1.0
            meta:
              version: 0.1.0
              name: slow-sink
              type: http-sink
              topic: slow
              consumer:
                offset: {{strategy: auto, start: beginning}}
            http:
              endpoint: {server.url}/sink
              http_request_timeout: 30s
            """)
        proc = spawn("-m", "tui.cli.main", "connector", "run", str(config))
        wait_for(lambda: any(r["path"] == "/sink" for r in server.requests), timeout=30)
        proc.send_signal(signal.SIGINT)
        log = log_path("slow-sink")
        wait_for(lambda: "received SIGINT" in log.read_text())  # the first one was seen
        started = time.monotonic()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=20)
        assert time.monotonic() - started < 8  # did not wait for the 10s request
    assert proc.returncode == 130, err
    assert "stopped at once" in err and "Traceback" not in err
    assert committed("slow-sink", "slow") is None  # nothing was confirmed delivered


def test_a_second_run_of_the_same_connector_is_refused(tmp_path):
    config = write(tmp_path / "gen.yaml", """\
        version: 0.3.0
        name: only-once
        type: generator
        topic: only-once
        parameters:
          rate: 50
        """)
    first = spawn("-m", "tui.cli.main", "connector", "run", str(config))
    wait_for(lambda: (connector_dir("only-once") / "process.json").exists())
    second = run_weir("connector", "run", str(config))
    first.send_signal(signal.SIGTERM)
    first.communicate(timeout=20)
    assert second.returncode == 1
    assert f"already running in process {first.pid}" in second.stderr
