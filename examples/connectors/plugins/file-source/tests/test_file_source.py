"""The connector through Weir's harness (`weir connector test` runs the same); Weir's own
suite (tests/connectors/test_file_source_plugin.py) adds rotation, restarts and SIGKILL."""

import dataclasses
from pathlib import Path

from weir_file_source import FileSource

from runtime.config.load import load_connector
from runtime.connectors.harness import run_test

CONFIG = Path(__file__).resolve().parent.parent / "connector.yaml"


def spec_for(path: Path, **params):
    spec = load_connector(CONFIG)
    return dataclasses.replace(spec, parameters={**spec.parameters, "path": str(path),
                                                 **params})


def test_each_complete_line_is_a_record(tmp_path):
    log = tmp_path / "app.log"
    log.write_bytes(b"one\r\ntwo\n\nthree\npartial")
    outcome = run_test(spec_for(log), max_records=4, connector=FileSource)
    assert outcome.errors == []
    assert outcome.values == [b"one", b"two", b"", b"three"]  # `partial` waits for its \n


def test_start_end_reads_only_new_lines(tmp_path):
    log = tmp_path / "app.log"
    log.write_bytes(b"old\n")
    outcome = run_test(spec_for(log, start="end"), time_limit_s=0.5, connector=FileSource)
    assert outcome.values == []


def test_a_long_line_is_cut(tmp_path):
    log = tmp_path / "app.log"
    log.write_bytes(b"x" * 25 + b"\n")
    outcome = run_test(spec_for(log, max_line_bytes=10), max_records=3, connector=FileSource)
    assert outcome.values == [b"x" * 10, b"x" * 10, b"x" * 5]
