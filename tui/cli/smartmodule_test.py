"""`weir smartmodule test`: run a module or a chain over sample records, as `smdk test`.

Results go to stdout (one value per line, or one JSON document); traces and messages to
stderr. A SmartModule error exits 1 after printing the records produced before it.
"""

from __future__ import annotations

import base64
import sys
import time
from dataclasses import replace
from pathlib import Path

import click

from runtime.human import plural
from runtime.topics.limits import MAX_INT64
from tui.cli.completion import complete_smartmodules
from tui.cli.golden import compare_golden, split_lines, write_golden
from tui.cli.output import info, print_json, remember_json, until_reader_leaves
from tui.cli.params import ByteSize, TimeLimit


def _parse_params(values: tuple[str, ...]) -> dict[str, str]:
    params: dict[str, str] = {}
    for item in values:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise click.UsageError(f"-e expects key=value, got `{item}`")
        params[key] = value
    return params


def read_inputs(text: str | None, file: str | None, raw: bool) -> list[bytes]:
    """The input values: --text, --file (per line, or whole with --raw), else stdin."""
    if text is not None:
        return [text.encode()]
    if file is not None:
        try:
            data = Path(file).read_bytes()
        except FileNotFoundError:
            from runtime.errors import EnvironmentProblem

            raise EnvironmentProblem(f"{file}: no such file") from None
        except OSError as exc:
            from runtime.errors import EnvironmentProblem

            raise EnvironmentProblem(f"{file}: cannot read: {exc.strerror}") from None
    else:
        if sys.stdin.isatty():
            info("reading records from stdin, one per line; end with Ctrl-D")
        data = sys.stdin.buffer.read()
    return [data] if raw else split_lines(data)


def _text(data: bytes | None) -> tuple[str | None, bool]:
    if data is None:
        return None, False
    try:
        return data.decode(), False
    except UnicodeDecodeError:
        return base64.b64encode(data).decode(), True


def record_json(record) -> dict:
    """A record as JSON; values that are not UTF-8 are base64 with a flag saying so."""
    key, key_b64 = _text(record.key)
    value, value_b64 = _text(record.value)
    out = {"offset": record.offset, "timestamp": record.timestamp, "key": key, "value": value}
    if key_b64:
        out["key_base64"] = True
    if value_b64:
        out["value_base64"] = True
    return out


def record_line(record, show_key: bool) -> bytes:
    if not show_key:
        return record.value
    key = b"null" if record.key is None else record.key
    return b"[" + key + b"] " + record.value


@click.command("test")
@click.argument("name", required=False, shell_complete=complete_smartmodules)
@click.option("--wasm-file", type=click.Path(dir_okay=False), help="Test a .wasm file directly.")
@click.option("--transforms-file", type=click.Path(dir_okay=False),
              help="Test a chain: YAML with a `transforms:` list (uses/with/lookback).")
@click.option("--transforms-line", "transforms_lines", multiple=True, metavar="JSON|YAML",
              help="Test one transform given inline, as an entry of a `transforms:` list "
                   "(repeat for a chain).")
@click.option("--text", help="One input record with this value.")
@click.option("--file", "file", type=click.Path(dir_okay=False),
              help="Input records, one per line (default: stdin).")
@click.option("--raw", is_flag=True, help="With --file or stdin: the whole input is one record.")
@click.option("--key", help="Key of every input record.")
@click.option("-e", "params", multiple=True, metavar="KEY=VALUE",
              help="A param for the module's init (repeatable).")
@click.option("--aggregate-initial", help="Initial accumulator of aggregate modules.")
@click.option("--record", "lookback_records", multiple=True, metavar="VALUE",
              help="A stored record for look_back (repeatable).")
@click.option("--lookback-last", type=click.IntRange(0, MAX_INT64),
              help="Ask for a lookback of the last N stored records.")
@click.option("-k", "--key-value", "show_key", is_flag=True, help="Show keys: `[key] value`.")
@click.option("--json", "as_json", is_flag=True, is_eager=True, callback=remember_json,
              help="Print one JSON document.")
@click.option("--trace", is_flag=True, help="Show each stage's output (stderr, or in --json).")
@click.option("--expect", type=click.Path(dir_okay=False),
              help="Compare the output lines with FILE; exit 1 on a difference.")
@click.option("--update", is_flag=True,
              help="With --expect: write FILE from this run's output instead (golden file).")
@click.option("--abi-version", type=click.IntRange(0, 32767), default=22, show_default=True,
              help="SmartModule ABI version passed to the module.")
@click.option("--memory-limit", default="1GB", show_default=True,
              type=ByteSize(example="64MB or 1GiB", minimum=(65536, "one wasm page")),
              help="Memory cap per module (e.g. 64MB; at least 64KiB, one wasm page).")
@click.option("--time-limit", default="10s", show_default=True, type=TimeLimit(),
              help="Time limit per call (e.g. 500ms, 10s; `off` for none, which runs "
                   "modules faster).")
def test(name, wasm_file, transforms_file, transforms_lines, text, file, raw, key, params,
         aggregate_initial, lookback_records, lookback_last, show_key, as_json, trace, expect,
         update, abi_version, memory_limit, time_limit) -> None:
    """Run a SmartModule (NAME, --wasm-file) or a chain (--transforms-file) over records.

    \b
    weir smartmodule test my-filter --text hello
    weir smartmodule test --wasm-file target/.../my_map.wasm --file samples.txt
    weir smartmodule test --transforms-file transforms.yaml -e ... --trace
    """
    from runtime.topics.record import Record
    from smartmodules.spec import TransformSpec

    chosen = [o for o, v in (("NAME", name), ("--wasm-file", wasm_file),
                             ("--transforms-file", transforms_file),
                             ("--transforms-line", transforms_lines)) if v]
    if len(chosen) != 1:
        raise click.UsageError(
            "give exactly one of NAME, --wasm-file, --transforms-file or --transforms-line"
            + (f" (got {', '.join(chosen)})" if chosen else ""))
    if update and expect is None:
        raise click.UsageError("--update needs --expect FILE: the golden file to write")
    if text is not None and file is not None:
        raise click.UsageError("--text and --file are exclusive")
    if raw and text is not None:
        raise click.UsageError("--raw applies to --file or stdin, not --text")
    param_map = _parse_params(params)
    if (transforms_file or transforms_lines) and param_map:
        raise click.UsageError("-e applies to one module; with --transforms-file or "
                               "--transforms-line give params with `with:`")
    limit_ms, mem = time_limit, memory_limit
    initial = aggregate_initial.encode() if aggregate_initial is not None else None
    wants_lookback = bool(lookback_records) or lookback_last is not None

    base_dir = None
    if transforms_file or transforms_lines:
        from smartmodules.transforms_file import load_transforms_file, parse_transform_line

        if transforms_file:
            specs = load_transforms_file(transforms_file)
            base_dir = Path(transforms_file).parent
        else:
            specs = [parse_transform_line(t, i) for i, t in enumerate(transforms_lines, 1)]
        specs = [replace(s, aggregate_initial=initial) if initial is not None else s
                 for s in specs]
        if wants_lookback:
            specs = [s if s.lookback_last is not None or s.lookback_age_ms is not None
                     else replace(s, lookback_last=lookback_last if lookback_last is not None
                                  else len(lookback_records)) for s in specs]
    else:
        specs = [TransformSpec(
            uses=name or wasm_file, params=param_map, aggregate_initial=initial,
            lookback_last=(lookback_last if lookback_last is not None
                           else len(lookback_records)) if wants_lookback else None)]
        if wasm_file:
            specs = [replace(specs[0], uses=str(Path(wasm_file).absolute()))]

    values = read_inputs(text, file, raw)
    now = int(time.time() * 1000)
    key_bytes = key.encode() if key is not None else None
    records = [Record(i, now, key_bytes, v) for i, v in enumerate(values)]
    stored = [Record(i, now, None, v.encode()) for i, v in enumerate(lookback_records)]

    def lookback(spec):
        chosen = stored
        if spec.lookback_last is not None:
            chosen = stored[-spec.lookback_last:] if spec.lookback_last else []
        if spec.lookback_age_ms is not None:
            chosen = [r for r in chosen if now - r.timestamp <= spec.lookback_age_ms]
        return chosen

    def log(module: str, line: str) -> None:
        info(f"[{module}] {line}")

    from runtime.errors import WeirError
    from smartmodules.chain import build_chain
    from smartmodules.errors import InvalidSmartModule, SmartModuleError

    try:
        chain = build_chain(specs, version=abi_version, memory_limit=mem, time_limit_ms=limit_ms,
                            log=log, lookback=lookback, base_dir=base_dir)
    except WeirError as exc:
        if as_json:
            error = exc.to_dict() if isinstance(exc, SmartModuleError) else {
                "module": specs[0].uses if len(specs) == 1 else None, "offset": None,
                "kind": "invalid-module" if isinstance(exc, InvalidSmartModule) else "load",
                "message": exc.message, "hint": exc.hint, "rc": None}
            print_json({"records": [], "error": error, **({"stages": []} if trace else {})})
            exc.json_reported = True  # the document above carries it
        raise
    try:
        result = chain.process(records)
    finally:
        chain.close()

    golden = mismatch = None
    if expect is not None:
        lines = [record_line(r, show_key) for r in result.records]
        if not update:
            mismatch = compare_golden(expect, lines)
            golden = {"file": expect, "matched": mismatch is None, "updated": False}
        elif result.error is None:
            golden = {"file": expect, "matched": None, "updated": write_golden(expect, lines)}
        else:
            result.error.hint = (f"{result.error.hint or ''} ({expect} was left as it was: "
                                 "--update writes only a run without errors)").strip()
    with until_reader_leaves():  # `| head`: a SmartModule error below still exits 1
        if as_json:
            doc = {"records": [record_json(r) for r in result.records],
                   "error": result.error.to_dict() if result.error else None}
            if trace:
                doc["stages"] = [_stage_json(s) for s in result.stages]
            if expect is not None:
                doc["expect"] = golden
            print_json(doc)
        else:
            if trace:
                _print_trace(records, result.stages, show_key)
            out = sys.stdout.buffer
            for record in result.records:
                out.write(record_line(record, show_key) + b"\n")
            out.flush()
    for failure in (result.error, mismatch):
        if failure is not None:
            failure.json_reported = as_json  # in the document above
            raise failure


def _stage_json(stage) -> dict:
    try:
        records = [record_json(r) for r in stage.records]
    except Exception as exc:  # noqa: BLE001 - a malformed stage output is shown, not raised
        records = f"undecodable: {exc}"
    return {"module": stage.module, "kind": stage.kind, "count": stage.count,
            "records": records, "error": stage.error.to_dict() if stage.error else None}


def _print_trace(inputs, stages, show_key: bool) -> None:
    info(f"# input: {plural(len(inputs), 'record')}")
    for record in inputs:
        info("  " + record_line(record, show_key).decode(errors="replace"))
    for i, stage in enumerate(stages, 1):
        info(f"# [{i}] {stage.module} ({stage.kind}): {plural(stage.count, 'record')}"
             + (" then an error" if stage.error else ""))
        try:
            stage_records = stage.records
        except Exception as exc:  # noqa: BLE001 - a malformed stage output is shown
            info(f"  (undecodable output: {exc})")
            stage_records = []
        for record in stage_records:
            info("  " + record_line(record, show_key).decode(errors="replace"))
        if stage.error:
            info(f"  error at offset {stage.error.offset}: {stage.error.hint}")
