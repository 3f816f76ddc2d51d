"""Item 12: every command that reads a file (or stdin) is run over a corpus of hostile
inputs; whatever it says, it never says `internal error` or prints a traceback, and it
ends with one of the documented exit codes (0 ok, 1 invalid input, 2 usage/environment).
A corrupt state file under $WEIR_HOME gets the same treatment."""

from __future__ import annotations

import os
import random
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.conftest import REPO, run_weir
from tests.faults.helpers import run_weir_as, without_file_override

DEMO = REPO / "examples/connectors/demo.yaml"
WASM = REPO / "examples/smartmodules/prebuilt/contains_filter.wasm"


def _corpus(root: Path) -> dict[str, Path]:
    """Name -> a file (or directory) no command should choke on."""
    rng = random.Random(12)
    root.mkdir()
    texts = {
        "huge-int.yaml": "apiVersion: 0.1.0\nmeta:\n  version: 0.1.0\n  name: x\n  type: "
                         "generator-source\n  topic: x\ngenerator:\n  count: " + "9" * 5000,
        "hex-int.yaml": "count: 0x" + "f" * 4000 + "\n",
        "deep-flow.yaml": "[" * 50_000 + "]" * 50_000,
        "deep-block.yaml": "a:\n" + "".join("  " * i + "- \n" for i in range(1, 1500)),
        "deep-json.json": '{"a": ' * 20_000 + "1" + "}" * 20_000,
        "alias-bomb.yaml": "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
            f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n"
            for p, c in zip("abcdef", "bcdefg", strict=True)),
        "empty.yaml": "",
        "only-comment.yaml": "# nothing\n",
        "tabs.yaml": "meta:\n\tname: x\n",
        "big-line.yaml": "a: " + "x" * 2_000_000,
        "many-keys.yaml": "".join(f"k{i}: {i}\n" for i in range(60_000)),
        "transforms-bad.yaml": "transforms:\n  - uses: ../../etc/passwd\n    with: {a: [1, "
                               "{b: " + "9" * 5000 + "}]}\n",
        "secrets.env": "A=" + "x" * 100_000 + "\n\x00=1\n=\n" + "B" * 5000 + "\n",
        "long-name.yaml": "apiVersion: 0.1.0\nmeta:\n  version: 0.1.0\n  name: " + "n" * 5000
                          + "\n  type: generator-source\n  topic: " + "t" * 5000 + "\n",
    }
    files = {}
    for name, text in texts.items():
        (root / name).write_text(text)
        files[name] = root / name
    binary = {
        "garbage.bin": bytes(rng.getrandbits(8) for _ in range(65_536)),
        "nul.yaml": b"apiVersion: 0.1.0\x00\nmeta: {}\n",
        "utf16.yaml": "apiVersion: 0.1.0\nmeta:\n  name: x\n".encode("utf-16"),
        "bad-utf8.yaml": b"meta:\n  name: \xff\xfe\xc3\n",
        "fake.wasm": b"\0asm\x01\0\0\0" + bytes(rng.getrandbits(8) for _ in range(4096)),
        "truncated.wasm": WASM.read_bytes()[:1000],
    }
    for name, data in binary.items():
        (root / name).write_bytes(data)
        files[name] = root / name
    (root / "a-directory.yaml").mkdir()
    files["a-directory.yaml"] = root / "a-directory.yaml"
    files["missing.yaml"] = root / "missing.yaml"
    locked = root / "locked.yaml"
    locked.write_text("apiVersion: 0.1.0\n")
    locked.chmod(0)
    files["locked.yaml"] = locked
    return files


# Each command with {f} where the hostile input goes.
COMMANDS = {
    "validate": ["validate", "{f}"],
    "validate --json": ["validate", "--json", "{f}"],
    "validate --secrets": ["validate", "--secrets", "{f}", str(DEMO)],
    "config convert": ["config", "convert", "{f}"],
    "config convert -o": ["config", "convert", str(REPO / "examples/connectors/"
                                                  "cat-facts.legacy.yaml"), "-o", "{f}"],
    "connector run": ["connector", "run", "{f}"],
    "connector run --secrets": ["connector", "run", "{f}", "--secrets", "{f}"],
    "connector create": ["connector", "create", "--config", "{f}"],
    "produce -f": ["produce", "hostile", "-f", "{f}"],
    "produce --raw -f": ["produce", "hostile", "--raw", "-f", "{f}"],
    "produce --transforms-file": ["produce", "hostile", "--transforms-file", "{f}"],
    "consume --transforms-file": ["consume", "hostile", "-B", "-d", "--transforms-file", "{f}"],
    "smartmodule test --wasm-file": ["smartmodule", "test", "--wasm-file", "{f}", "--text", "a"],
    "smartmodule test --transforms-file": ["smartmodule", "test", "--transforms-file", "{f}",
                                           "--text", "a"],
    "smartmodule test --file": ["smartmodule", "test", "--wasm-file", str(WASM), "-e",
                                "contains=a", "--file", "{f}"],
    "smartmodule test --expect": ["smartmodule", "test", "--wasm-file", str(WASM), "-e",
                                  "contains=a", "--text", "a", "--expect", "{f}"],
    "smartmodule create": ["smartmodule", "create", "hostile", "--wasm-file", "{f}"],
    "smartmodule build": ["smartmodule", "build", "{f}"],
    "demo --examples": ["demo", "--examples", "{f}"],
    "profile add --data-dir": ["profile", "add", "hostile", "--data-dir", "{f}"],
}

STDIN_COMMANDS = {
    "validate -": ["validate", "-"],
    "config convert -": ["config", "convert", "-"],
    "produce (stdin)": ["produce", "hostile"],
    "smartmodule test (stdin)": ["smartmodule", "test", "--wasm-file", str(WASM), "-e",
                                 "contains=a"],
}


def _check(result, what: str) -> None:
    out = "".join(part.decode(errors="replace") if isinstance(part, bytes) else part
                  for part in (result.stdout or "", result.stderr or ""))
    assert "internal error" not in out and "Traceback" not in out, f"{what}:\n{out[-3000:]}"
    assert result.returncode in (0, 1, 2), f"{what}: exit {result.returncode}\n{out[-2000:]}"


def _each(check, items) -> None:
    """Run `check` over the items a few at a time (each is a process start); the first
    failure is raised."""
    with ThreadPoolExecutor(max_workers=4) as pool:
        for future in [pool.submit(check, item) for item in items]:
            future.result()


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    files = _corpus(tmp_path_factory.mktemp("hostile") / "corpus")
    yield files
    files["locked.yaml"].chmod(0o600)


@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_survives_the_corpus(command, corpus, weir_home):
    assert run_weir("topic", "create", "hostile").returncode == 0
    prefix = without_file_override()

    def one(item: tuple[str, Path]) -> None:
        name, path = item
        argv = [a.format(f=path) for a in COMMANDS[command]]
        _check(run_weir_as(prefix, *argv, timeout=300),
               f"weir {' '.join(a[:80] for a in argv)} ({name})")

    _each(one, corpus.items())


@pytest.mark.parametrize("command", list(STDIN_COMMANDS))
def test_every_stdin_reader_survives_the_corpus(command, corpus, weir_home):
    assert run_weir("topic", "create", "hostile").returncode == 0
    def one(item: tuple[str, Path]) -> None:
        name, path = item
        result = run_weir(*STDIN_COMMANDS[command], input=path.read_bytes(), timeout=300)
        _check(result, f"weir {command} < {name}")

    _each(one, [(n, p) for n, p in corpus.items() if p.is_file() and n != "locked.yaml"])


STATE_FILES = ["profiles.json", "cluster/state.json", "cluster/token", "tui.yaml"]


@pytest.mark.parametrize("state_file", STATE_FILES)
def test_a_corrupt_state_file_is_reported_not_a_crash(state_file, corpus, weir_home):
    assert run_weir("topic", "create", "hostile").returncode == 0
    target = weir_home / state_file
    target.parent.mkdir(parents=True, exist_ok=True)
    for name in ("garbage.bin", "deep-json.json", "empty.yaml", "huge-int.yaml"):
        target.write_bytes(corpus[name].read_bytes())
        os.chmod(target, 0o600)
        for argv in (["profile", "list"], ["topic", "list"], ["connector", "list"],
                     ["cluster", "status"], ["smartmodule", "list"]):
            _check(run_weir(*argv, timeout=120), f"weir {' '.join(argv)} with {state_file} "
                                                  f"= {name}")
    target.unlink()
