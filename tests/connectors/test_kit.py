"""The connector kit: a plugin installed through the `weir.connectors` entry points is a
type everywhere (types, validate, schema, config new, test, run), and a broken plugin is
reported once without breaking anything else."""

from __future__ import annotations

import json

import pytest

from tests.conftest import run_weir
from tests.connectors import plugin_dist

COUNTER = """\
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: counting
  type: counter-source
  topic: counted
counter:
  prefix: "c"
  start: 5
  every: 1ms
"""


@pytest.fixture
def plugins(tmp_path):
    return plugin_dist.env_with(plugin_dist.standard(tmp_path))


def weir(*args, env=None, **kw):
    return run_weir(*args, env=env, **kw)


def test_the_builtins_are_entry_points_of_weir_itself():
    from importlib import metadata

    from runtime.connectors.registry import discover

    own = {ep.name for ep in metadata.entry_points(group="weir.connectors")
           if ep.dist is not None and ep.dist.name == "weir-workbench"}
    assert own == {"http-source", "http-sink", "sql-sink", "mqtt-source", "generator-source"}
    found = discover().classes
    for name in own:
        cls, dist = found[name]
        assert cls.type == name and dist == "weir-workbench"


def test_types_lists_plugins_and_the_broken_one(plugins):
    r = weir("connector", "types", "-O", "json", env=plugins)
    assert r.returncode == 1, r.stderr  # a plugin failed
    doc = json.loads(r.stdout)
    by_type = {t["type"]: t for t in doc["types"]}
    assert by_type["counter-source"]["from"] == "acme-connectors"
    assert by_type["counter-source"]["kind"] == "source"
    assert by_type["collect-sink"]["kind"] == "sink"
    assert by_type["generator-source"]["from"] == "weir-workbench"
    (broken,) = doc["failed"]
    assert broken["type"] == "broken-source"
    assert "ModuleNotFoundError" in broken["error"] and "no_such_module_anywhere" in broken[
        "error"]
    assert "broken-source" not in r.stderr  # listed, not warned about as well


def test_a_broken_plugin_is_reported_once_and_breaks_nothing(plugins, tmp_path):
    config = tmp_path / "gen.yaml"
    config.write_text(COUNTER.replace("counter-source", "generator-source")
                      .replace("counter:\n  prefix: \"c\"\n  start: 5\n  every: 1ms\n",
                               "generator:\n  count: 2\n"))
    r = weir("validate", str(config), env=plugins)
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stderr.count("connector plugin `broken-source`") == 1
    assert "acme_broken:BrokenSource" in r.stderr and "ModuleNotFoundError" in r.stderr


def test_a_config_of_the_broken_type_says_why(plugins, tmp_path):
    config = tmp_path / "b.yaml"
    config.write_text(COUNTER.replace("counter-source", "broken-source")
                      .replace("counter:", "broken:"))
    r = weir("validate", str(config), env=plugins)
    assert "warning[plugin-failed]" in r.stdout
    assert "no_such_module_anywhere" in r.stdout


def test_validate_checks_a_plugin_config_by_its_model(plugins, tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text(COUNTER.replace("  start: 5", "  strat: 5").replace(
        "every: 1ms", "every: 1ms\n  token: abc123"))
    config2 = tmp_path / "d.yaml"
    config2.write_text(COUNTER.replace("  start: 5", "  start: many"))
    r = weir("validate", str(config), str(config2), env=plugins)
    assert r.returncode == 1
    out = r.stdout
    assert f"{config}:9:3: warning[unknown-key]: unknown key `strat` in `counter`" in out
    assert "did you mean `start`?" in out
    assert "warning[plaintext-secret-param]" in out and "abc123" not in out
    assert f"{config2}:9:10: error[" in out


def test_config_new_and_schema_come_from_the_model(plugins, tmp_path):
    r = weir("config", "new", "collect-sink", "-o", str(tmp_path / "new.yaml"), env=plugins)
    assert r.returncode == 0, r.stderr
    text = (tmp_path / "new.yaml").read_text()
    assert "type: collect-sink" in text and "collect:\n  path: \"out.txt\"" in text
    r = weir("validate", str(tmp_path / "new.yaml"), env=plugins)
    assert r.returncode == 0, r.stdout
    r = weir("config", "schema", "--types", env=plugins)
    types = {t["type"]: t for t in json.loads(r.stdout)}
    params = {p["key"]: p for p in types["counter-source"]["parameters"]}
    assert params["prefix"]["default"] == "n"
    assert params["prefix"]["description"] == "text before each number"
    assert params["token"]["secret"] is True and params["prefix"]["secret"] is False
    assert types["counter-source"]["from"] == "acme-connectors"
    r = weir("config", "schema", env=plugins)
    assert "counter-source" in r.stdout


def test_connector_test_runs_a_plugin_source(plugins, tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text(COUNTER)
    expect = tmp_path / "expected.txt"
    expect.write_text("c5\nc6\nc7\n")
    r = weir("connector", "test", str(config), "-n", "3", "--expect", str(expect), env=plugins)
    assert r.returncode == 0, r.stderr
    assert r.stdout == "c5\nc6\nc7\n"
    assert "the record limit was reached" in r.stderr
    expect.write_text("c5\nc7\nc8\n")
    r = weir("connector", "test", str(config), "-n", "3", "--expect", str(expect), env=plugins)
    assert r.returncode == 1


def test_connector_test_a_plugin_sink_from_samples(plugins, tmp_path):
    out = tmp_path / "out.txt"
    config = tmp_path / "s.yaml"
    config.write_text(f"""\
apiVersion: 0.1.0
meta:
  version: 0.1.0
  name: collecting
  type: collect-sink
  topic: things
collect:
  path: {out}
""")
    samples = tmp_path / "samples.txt"
    samples.write_text("one\nbad\ntwo\n")
    r = weir("connector", "test", str(config), "--file", str(samples), "-O", "json",
             env=plugins)
    assert r.returncode == 1  # a record error
    doc = json.loads(r.stdout)
    assert [rec["value"] for rec in doc["records"]] == ["one", "two"]
    assert doc["failed"][0]["value"] == "bad"
    assert "refused" in doc["failed"][0]["reason"]
    assert doc["ended"] == "records"
    assert out.read_text() == "ONE\nTWO\n"


def test_a_source_refuses_samples_and_a_sink_needs_them(plugins, tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text(COUNTER)
    r = weir("connector", "test", str(config), "--text", "x", env=plugins)
    assert r.returncode == 2 and "is a source" in r.stderr


def test_a_plugin_runs_as_a_connector(plugins, tmp_path):
    """`connector run` (what the supervisor and Docker start too) runs the plugin."""
    import subprocess
    import sys
    import time

    from tests.conftest import REPO

    config = tmp_path / "c.yaml"
    config.write_text(COUNTER)
    import os

    env = {**os.environ, **plugins}
    proc = subprocess.Popen([sys.executable, "-m", "runtime.connectors.run_main", "--config",
                             str(config)], cwd=REPO, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            r = weir("consume", "counted", "-B", "-d", env=plugins)
            if len(r.stdout.splitlines()) >= 3:
                break
            time.sleep(0.2)
        assert r.stdout.splitlines()[:3] == ["c5", "c6", "c7"]
    finally:
        proc.terminate()
        assert proc.wait(timeout=20) == 0, proc.stderr.read()


@pytest.mark.parametrize("kind", ["source", "sink"])
def test_generate_writes_a_package_whose_test_passes(kind, tmp_path):
    import os
    import subprocess
    import sys

    r = weir("connector", "generate", "acme-orders", "--kind", kind, "-o",
             str(tmp_path / "pkg"))
    assert r.returncode == 0, r.stderr
    pkg = tmp_path / "pkg"
    assert r.stdout.strip() == str(pkg)
    module = f"acme_orders_{kind}"
    assert f'acme-orders-{kind} = "{module}:AcmeOrders{kind.capitalize()}"' in (
        pkg / "pyproject.toml").read_text()
    done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           "tests"], cwd=pkg, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(pkg)})
    assert done.returncode == 0, done.stdout + done.stderr
    # its sample config is valid and runs, once the type is installed (here: on the path)
    env = plugin_dist.env_with(plugin_dist.install(
        tmp_path / "site", "acme-orders", {}, {f"acme-orders-{kind}":
                                                f"{module}:AcmeOrders{kind.capitalize()}"}),
        pkg)
    r = weir("validate", str(pkg / "connector.yaml"), env=env)
    assert r.returncode == 0 and "(0 errors, 0 warnings)" in r.stdout, r.stdout
    args = ["-n", "2"] if kind == "source" else ["--file", str(pkg / "samples.txt")]
    r = weir("connector", "test", str(pkg / "connector.yaml"), *args, env=env, cwd=tmp_path)
    assert r.returncode == 0, r.stderr
    assert len(r.stdout.splitlines()) == 2


def test_generate_refuses_a_bad_name_and_an_existing_directory(tmp_path):
    r = weir("connector", "generate", "Acme_Orders", "--kind", "source", cwd=tmp_path)
    assert r.returncode == 1 and "not a usable connector name" in r.stderr
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "x").write_text("")
    r = weir("connector", "generate", "taken", "--kind", "sink", cwd=tmp_path)
    assert r.returncode == 2 and "already exists" in r.stderr


def test_install_needs_a_package(tmp_path):
    r = weir("connector", "install", str(tmp_path))
    assert r.returncode == 2 and "has no pyproject.toml" in r.stderr


def test_dev_reruns_on_a_save_of_the_config_or_the_plugin(tmp_path, monkeypatch):
    import os
    import time

    from tui.cli.connector_dev import ConnectorDev

    run_weir("connector", "generate", "acme-ticks", "--kind", "source", "-o",
             str(tmp_path / "pkg"))
    pkg = tmp_path / "pkg"
    site = plugin_dist.install(tmp_path / "site", "acme-ticks", {},
                               {"acme-ticks-source": "acme_ticks_source:AcmeTicksSource"})
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(site), str(pkg)]))
    lines: list[str] = []
    config = pkg / "connector.yaml"
    loop = ConnectorDev(config, ["-n", "2", "--no-logs"], lines.append, watch_dir=pkg)
    loop.run_once()
    assert any('{"n": 1, "message": "hello"}' in line for line in lines), lines
    assert not loop.step()  # nothing changed
    lines.clear()
    time.sleep(0.01)
    config.write_text(config.read_text().replace("message: hello", "message: bye"))
    assert loop.step()
    assert lines[0] == "changed: connector.yaml"
    assert any(line.startswith("~   1") and '"hello"' in line and '"bye"' in line
               for line in lines), lines
    lines.clear()
    code = pkg / "acme_ticks_source" / "__init__.py"
    code.write_text(code.read_text().replace('{"n": n,', '{"tick": n,'))
    assert loop.step()
    assert any('"tick": 0' in line for line in lines), lines
    lines.clear()
    code.write_text(code.read_text().replace("async def run(self, emit)", "async def run(self"))
    assert loop.step()
    assert "run 4: the test did not run (exit 1)" in lines
    assert any("cannot be loaded" in line and "SyntaxError" in line for line in lines), lines


def test_a_plugin_installed_later_is_found_by_a_running_process(tmp_path, monkeypatch):
    """The daemon and the workbench live long: a type they do not know makes them look
    again, so a plugin installed meanwhile works without a restart."""
    from runtime.config import connector_types as ct
    from runtime.connectors import registry

    registry.reload()
    assert "counter-source" not in ct.types()
    monkeypatch.syspath_prepend(str(plugin_dist.standard(tmp_path)))
    monkeypatch.setattr(registry, "on_failure", lambda failure: None)
    try:
        cls, kind = registry.connector_class("counter-source")
        assert cls.type == "counter-source" and kind == "source"
        assert "counter-source" in ct.types()
    finally:
        monkeypatch.undo()
        registry.reload()


def test_connector_test_reports_an_invalid_config(plugins, tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text(COUNTER.replace("  start: 5", "  start: -1"))
    r = weir("connector", "test", str(config), env=plugins)
    assert r.returncode == 1
    assert f"{config}:9:10: error[" in r.stderr and "start" in r.stderr


@pytest.mark.integration
def test_install_makes_a_generated_package_a_type(tmp_path):
    """The real thing: pip install -e into this environment, then uninstall again."""
    import subprocess
    import sys

    weir("connector", "generate", "kit-probe", "--kind", "sink", "-o", str(tmp_path / "p"))
    try:
        r = weir("connector", "install", str(tmp_path / "p"), timeout=600)
        assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == "installed kit-probe: connector type kit-probe-sink"
        listed = json.loads(weir("connector", "types", "-O", "json").stdout)
        assert {"type": "kit-probe-sink", "kind": "sink", "runnable": True,
                "from": "kit-probe", "summary": "append records to a file as JSON lines"
                } in listed["types"]
    finally:
        subprocess.run([sys.executable, "-m", "pip", "uninstall", "-y", "-q", "kit-probe"],
                       capture_output=True)
    assert "kit-probe-sink" not in weir("connector", "types").stdout


def test_generator_key_is_in_its_model(tmp_path):
    """generator-source reads `key`; its model knows it, so validate does not call it an
    unknown key that Fluvio ignores, and the records carry it."""
    config = tmp_path / "g.yaml"
    config.write_text(COUNTER.replace("counter-source", "generator-source").replace(
        "counter:\n  prefix: \"c\"\n  start: 5\n  every: 1ms\n",
        "generator:\n  template: 'v{{n}}'\n  key: 'k{{n}}'\n  count: 2\n"))
    r = weir("validate", str(config))
    assert r.returncode == 0 and "(0 errors, 0 warnings)" in r.stdout, r.stdout
    r = weir("connector", "test", str(config), "-O", "json")
    doc = json.loads(r.stdout)
    assert [(x["key"], x["value"]) for x in doc["records"]] == [("k0", "v0"), ("k1", "v1")]


def test_a_generated_package_s_durations_are_checked(tmp_path):
    r = weir("connector", "generate", "acme-dur", "--kind", "source", "-o",
             str(tmp_path / "pkg"))
    assert r.returncode == 0, r.stderr
    pkg = tmp_path / "pkg"
    env = plugin_dist.env_with(plugin_dist.install(
        tmp_path / "site", "acme-dur", {}, {"acme-dur-source":
                                            "acme_dur_source:AcmeDurSource"}), pkg)
    config = pkg / "connector.yaml"
    config.write_text(config.read_text().replace("interval: 200ms", "interval: 200"))
    r = weir("validate", str(config), env=env)
    assert r.returncode == 1 and "error[invalid-duration]" in r.stdout, r.stdout


def test_an_incomplete_connector_class_is_refused_when_it_loads():
    from runtime.connectors.harness import run_test
    from runtime.connectors.kit import Sink, Source
    from runtime.connectors.registry import check_class
    from runtime.errors import WeirError

    class NoRun(Source):
        type = "norun-source"

    class NoWrite(Sink):
        type = "nowrite-sink"

    class Batches(Sink):
        type = "batches-sink"

        async def deliver(self, records):
            raise AssertionError("never called here")

    assert check_class(NoRun, "norun-source") == (
        "a source class must define `async def run(self, emit)`")
    assert "must define `async def write(self, record)` or `async def deliver" in check_class(
        NoWrite, "nowrite-sink")
    assert check_class(Batches, "batches-sink") is None
    with pytest.raises(WeirError, match="NoRun: a source class must define"):
        run_test(None, connector=NoRun)


def _busy_sink(retries: int | None, backoff_min_s: float):
    """A kit sink whose destination is always busy: every write asks for a retry."""
    from runtime.connectors.kit import Retry, Sink

    class BusySink(Sink):
        type = "busy-sink"

        async def write(self, record):
            self.writes.append(record.offset)
            raise Retry("destination busy")

    BusySink.retries, BusySink.backoff_min_s, BusySink.backoff_max_s = (
        retries, backoff_min_s, backoff_min_s)
    BusySink.writes = []
    return BusySink


def _run_sink(cls, name: str, stop):
    """`cls` in the real sink pipeline over the real store, reading `name` from the start."""
    import asyncio

    from runtime.connectors.base import ConnectorContext
    from runtime.connectors.reporter import Reporter
    from runtime.connectors.sink_pipeline import run_sink
    from runtime.topics import open_store
    from tests.connectors.helpers import sink_spec

    spec = sink_spec(name, "busy-sink", name)
    store = open_store()
    try:
        ctx = ConnectorContext(spec, Reporter(spec), "skip", stop)
        return asyncio.run(run_sink(ctx, cls(ctx), store))
    finally:
        store.close()


def test_a_sink_s_used_up_retries_fail_it_with_the_record_uncommitted():
    from runtime.connectors.base import StopSignal
    from runtime.errors import WeirError
    from tests.connectors.helpers import committed, produce

    produce("capped", ["x", "y"])
    cls = _busy_sink(retries=2, backoff_min_s=0.001)
    with pytest.raises(WeirError) as failure:
        _run_sink(cls, "capped", StopSignal())
    assert "offset 0: destination busy, still failing after 2 retries" in failure.value.message
    assert "delivered again on the next start" in failure.value.hint
    assert cls.writes == [0, 0, 0]  # the first try and two retries, never past offset 0
    assert committed("capped", "capped") is None


def test_a_stop_ends_a_sink_s_backoff_at_once_leaving_the_record_uncommitted():
    """A one-hour backoff: the stop must end the wait itself (the pipeline's grace for a
    sink that does not return would cancel it after seconds, logging that instead)."""
    import threading

    from runtime.connectors.base import StopSignal
    from runtime.connectors.telemetry import log_path
    from tests.connectors.helpers import committed, produce, wait_for

    produce("paused", ["x", "y"])
    cls = _busy_sink(retries=None, backoff_min_s=3600)
    stop = StopSignal()
    codes: list[int] = []
    thread = threading.Thread(target=lambda: codes.append(_run_sink(cls, "paused", stop)))
    thread.start()
    try:
        wait_for(lambda: log_path("paused").exists()
                 and "retry 1 in" in log_path("paused").read_text(), what="a backoff")
    finally:
        stop.set()
        thread.join(30)
    assert not thread.is_alive() and codes == [0]
    assert cls.writes == [0]
    log = log_path("paused").read_text()
    assert "stopped mid-batch: offsets from 0 will be delivered on the next start" in log
    assert "stopped while delivering" not in log
    assert committed("paused", "paused") == 0  # offset 0 is where the next start begins
