"""Item 8: numbers no field can hold, and files weir may not read, get a clear error
(located, or a usage error naming the flag), never an internal error."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_weir
from tests.faults.helpers import run_weir_as, without_file_override

HEAD = """\
apiVersion: 0.2.0
meta:
  version: 0.1.0
  name: big
  type: generator-source
"""


def _clean(result) -> None:
    out = result.stdout + result.stderr
    assert "internal error" not in out and "Traceback" not in out, out


@pytest.mark.parametrize("number", ["9" * 5000, "0x" + "f" * 4000], ids=["decimal", "hex"])
def test_a_number_too_long_for_python_is_a_located_error(tmp_path, number):
    config = tmp_path / "big.yaml"
    config.write_text(HEAD + f"  topic: {{meta: {{name: big}}}}\ngenerator:\n  count: {number}\n")
    for args in (("validate", str(config)), ("connector", "run", str(config)),
                 ("config", "convert", str(config))):
        result = run_weir(*args)
        _clean(result)
        assert f"{config}:8:10: error[invalid-value]: a number of " in result.stdout + \
            result.stderr, args
    assert run_weir("validate", str(config)).returncode == 1


@pytest.mark.parametrize(("section", "where", "message"), [
    ("  topic: {meta: {name: big}}\ngenerator:\n  count: 9223372036854775808\n", ":8:10",
     "`generator.count` must be ≤ 9223372036854775807"),
    ("  topic: {meta: {name: big}}\n  producer:\n    batch-size: 18446744073709551616\n"
     "generator: {}\n",
     ":8:17", "byte size must be between 0 and 2^64-1"),
    ("  topic:\n    meta:\n      name: big\n    retention:\n      segment-size: "
     "99999999999999999999\ngenerator: {}\n", ":10:21", "byte size must be between 0 and 2^64-1"),
    ("  topic:\n    meta:\n      name: big\n    retention:\n      time: 1000000000000000d\n"
     "generator: {}\n", ":10:13", "number is too large"),
    ("  topic:\n    meta:\n      name: big\n    partition:\n      count: 4294967296\n"
     "generator: {}\n", ":10:14", "must be ≤ 4294967295"),
    ("  topic: {meta: {name: big}}\ngenerator:\n  rate: 1e400\n", ":8:9", "records per second"),
])
def test_out_of_range_config_values_are_located_errors(tmp_path, section, where, message):
    config = tmp_path / "big.yaml"
    config.write_text(HEAD + section)
    result = run_weir("validate", str(config))
    _clean(result)
    assert result.returncode == 1, result.stdout
    line = next(x for x in result.stdout.splitlines() if "error[" in x)
    assert line.startswith(f"{config}{where}: error["), line
    assert message in line


def test_a_topic_beyond_what_the_store_holds_is_a_clear_error(tmp_path):
    """Fluvio's own bounds (u32 partitions, u64 bytes) pass validation; the embedded store
    holds less (10,000 partitions, i64 sizes) and says so when the connector starts."""
    for topic, message in (("    partition:\n      count: 20000\n",
                            "a topic needs between 1 and 10000 partitions, not 20000"),
                           ("    retention:\n      segment-size: 18446744073709551615\n",
                            "the segment size must be from 1 to 9223372036854775807")):
        config = tmp_path / "big.yaml"
        config.write_text(HEAD + "  topic:\n    meta:\n      name: big\n" + topic
                          + "generator:\n  count: 1\n")
        result = run_weir("connector", "run", str(config))
        _clean(result)
        assert result.returncode == 1
        assert message in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (("topic", "create", "t", "--segment-size", "9223372036854775808"),
     "Invalid value for '--segment-size': `9223372036854775808` is too large: at most "
     "9223372036854775807 bytes"),
    (("topic", "create", "t", "--segment-size", "9" * 5000), "Invalid value for '--segment-size'"),
    (("topic", "create", "t", "--retention-time", "100000000000000d"),
     "Invalid value for '--retention-time': `100000000000000d` is too large"),
    (("topic", "create", "t", "--retention-time", "9" * 5000 + "d"), "number is too large"),
    (("connector", "logs", "x", "--since", "9" * 5000 + "s"), "number is too large"),
    (("smartmodule", "test", "--wasm-file", "x.wasm", "--text", "a", "--memory-limit", "1KB"),
     "`1KB` is below one wasm page (65536 bytes)"),
    (("smartmodule", "test", "--wasm-file", "x.wasm", "--text", "a", "--time-limit",
      "9" * 40), "is too large: at most 9223372036854775807 ms"),
    (("smartmodule", "test", "--wasm-file", "x.wasm", "--text", "a", "--lookback-last",
      "9" * 30), "Invalid value for '--lookback-last'"),
])
def test_out_of_range_flags_are_usage_errors(args, message):
    result = run_weir(*args)
    _clean(result)
    assert result.returncode == 2, result.stderr
    assert message in result.stderr


@pytest.fixture
def locked(tmp_path) -> tuple[Path, Path]:
    """A mode-000 config and a mode-000 directory holding one."""
    config = tmp_path / "locked.yaml"
    config.write_text(HEAD + "  topic: {meta: {name: big}}\ngenerator: {}\n")
    config.chmod(0)
    closed = tmp_path / "closed"
    closed.mkdir()
    (closed / "inside.yaml").write_text(HEAD)
    closed.chmod(0)
    yield config, closed
    closed.chmod(0o700)


def test_unreadable_files_and_unlistable_directories_are_file_unreadable(locked, tmp_path):
    config, closed = locked
    prefix = without_file_override()
    for target in (config, closed):
        result = run_weir_as(prefix, "validate", str(target))
        _clean(result)
        assert result.returncode == 2, result.stdout
        assert f"{target}: error[file-unreadable]: " in result.stdout
        assert "Permission denied" in result.stdout
    # a tree where one directory cannot be listed says so instead of skipping it
    tree = tmp_path / "tree"
    (tree / "ok").mkdir(parents=True)
    (tree / "ok" / "a.yaml").write_text(HEAD + "  topic: {meta: {name: big}}\ngenerator: {}\n")
    (tree / "shut").mkdir()
    (tree / "shut").chmod(0)
    try:
        result = run_weir_as(prefix, "validate", str(tree))
    finally:
        (tree / "shut").chmod(0o700)
    assert result.returncode == 2
    assert f"{tree / 'shut'}: error[file-unreadable]: cannot list the directory: " \
           "Permission denied" in result.stdout


@pytest.mark.parametrize("args", [
    ("connector", "run", "{config}"),
    ("connector", "create", "--config", "{config}"),
    ("config", "convert", "{config}"),
    ("validate", "--secrets", "{config}", "{config}"),
    ("produce", "t", "-f", "{config}"),
    ("smartmodule", "test", "--wasm-file", "{config}", "--text", "a"),
    ("smartmodule", "create", "m", "--wasm-file", "{config}"),
    ("smartmodule", "build", "{closed}"),
])
def test_every_command_reports_an_unreadable_input_as_a_usage_error(locked, args):
    config, closed = locked
    argv = [a.format(config=config, closed=closed) for a in args]
    result = run_weir_as(without_file_override(), *argv)
    _clean(result)
    assert result.returncode == 2, result.stderr
    assert "Permission denied" in result.stderr or "is not readable" in result.stderr
