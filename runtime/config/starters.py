"""Commented starting configs for `weir config new TYPE`, one per installed type: Weir's
own are written here, a plugin's is its class's `starter` or is generated from its model.

Each is valid as written (tests check it) and names every parameter with its default.
"""

from __future__ import annotations

import json

from runtime.config import connector_types as ct

_HEAD = """\
# {summary}
# Check it with `weir validate FILE`; run it with `weir connector run --config FILE`.
apiVersion: 0.1.0
meta:
  version: 0.1.0
  {name_line}# lowercase a-z, 0-9 and '-', at most 63 characters
  type: {type}
  {topic_line}# created when missing
"""

_PRODUCER = """\
  producer:                   # optional: how records are batched into the topic
    linger: 100ms             # wait this long to fill a batch
    batch-size: 16 KB         # 1 KB = 1000 bytes, 1 KiB = 1024
    compression: none         # none | gzip | snappy | lz4 | zstd
"""

_CONSUMER = """\
  consumer:                   # optional: where the sink reads from
    partition: all            # a partition number, a list of them, or all
    {id_line}# offsets are committed under this consumer id
    offset:
      strategy: auto          # none | manual | auto (required with offset)
      start: beginning        # beginning | end | {{absolute: N}} | {{from-end: N}}
"""

_SECTIONS = {
    "http-source": """\
http:
  endpoint: https://catfact.ninja/fact   # ws:// or wss:// reads a WebSocket
  method: GET
  interval: 10s               # time between polls: 500ms, 10s, 1m 30s
  headers: []                 # ["Authorization: Bearer ${{ secrets.API_KEY }}"]
  # body: '{"query": "..."}'  # request body
  output_type: text           # text | json
  output_parts: body          # body | full (status, headers and body)
  stream: false               # true: one record per delimiter of a streaming response
  delimiter: "\\n"
""",
    "http-sink": """\
http:
  endpoint: http://127.0.0.1:8080/ingest
  method: POST
  headers: ["Content-Type: application/json"]
  http_request_timeout: 15s
  http_connect_timeout: 1s
""",
    "sql-sink": """\
sql:
  url: sqlite:///tmp/weir-demo.db       # or postgres://user:pass@host/db
  table: events
  create-table: true          # create the table from `columns` when it is missing
  columns:                    # where each column's value is in the record's JSON
    - {name: n, path: $.n, type: integer}
    - {name: at, path: $.time, type: timestamp}
    - {name: body, path: $, type: json}
    # - {name: level, path: $.level}   # no type: inferred from the first record
  batch-size: 100             # rows per transaction
  retries: 3
  backoff-min: 1s             # wait between retries, doubling up to backoff-max
  backoff-max: 60s
""",
    "mqtt-source": """\
mqtt:
  url: mqtt://127.0.0.1:1883
  topic: sensors/#            # MQTT topic filter
  # client_id: weir-mqtt      # random when absent
  timeout: {secs: 60, nanos: 0}
  payload_output_type: json   # binary | json
""",
    "generator-source": """\
generator:
  # {{n}} counts from 0; {{time}} is the time; {{uuid}}, {{random_int}},
  # {{choice:a|b|c}} picks one of the options.
  template: '{"n": {{n}}, "time": "{{time}}", "level": "{{choice:info|warn|error}}"}'
  interval: 1s                # or `rate: 100` records per second
  # count: 1000               # stop after this many records
  # batch: 1                  # records per tick
""",
}

_TRANSFORMS = """\
# transforms:                 # optional SmartModule chain, applied in order
#   - uses: my-filter         # a registered name, group/name@version, or a .wasm path
#     with:
#       key: value            # strings, lists or maps
"""


# official connectors of the legacy format only: no apiVersion starter makes sense
LEGACY_ONLY = ("slack-sink", "dynamodb-sink", "postgres-source", "postgres-sink")


def starter_types() -> list[str]:
    return [*_SECTIONS, *(t for t in ct.types()
                          if t not in _SECTIONS and t not in LEGACY_ONLY)]


def starter_choices() -> list[tuple[str, str]]:
    """(type, label) for a picker: each type with its summary, plugins with their package."""
    out = []
    for name in starter_types():
        ctype = ct.types()[name]
        origin = "" if ctype.origin in ("fluvio", "weir-workbench") else f"  [{ctype.origin}]"
        checked = "" if ctype.runnable else "  (checked only)"
        out.append((name, f"{name:<20} {ctype.summary}{origin}{checked}"))
    return out


def _generated_section(ctype: ct.ConnectorType) -> str:
    """A section from the type's parameter model: required parameters with an example
    value, optional ones commented out with their default (written out when nothing is
    required, so that the section is not empty)."""
    lines = [f"{ctype.section}:"]
    secrets = ct.secret_keys(ctype.name)
    fields = ctype.params.model_fields.values()
    spell_out = not any(f.is_required() for f in fields)
    for name, f in ctype.params.model_fields.items():
        key = f.alias or name
        note = f"  # {f.description}" if f.description else ""
        if key in secrets:
            ref = f"${{{{ secrets.{_secret_name(key)} }}}}"
            lines.append(f"  {'' if f.is_required() else '# '}{key}: {json.dumps(ref)}{note}")
            continue
        if f.is_required():
            example = (f.examples or [""])[0]
            lines.append(f"  {key}: {json.dumps(example)}{note}")
            continue
        default = f.get_default(call_default_factory=True)
        shown = "" if default in (None, {}, []) else (
            " " + (json.dumps(default) if isinstance(default, str) else str(default).lower()
                   if isinstance(default, bool) else str(default)))
        out = "" if spell_out and shown else "# "
        lines.append(f"  {out}{key}:{shown}{note}")
    if len(lines) == 1 or not any(not line.lstrip().startswith("#") for line in lines[1:]):
        lines[0] += " {}"  # no parameter to write: an empty mapping, not a null
    return "\n".join(lines) + "\n"


def _secret_name(key: str) -> str:
    return key.upper().replace("-", "_")


def starter(type_name: str, *, name: str | None = None, topic: str | None = None) -> str:
    """The starting config for a built-in type (legacy names accepted); KeyError if none."""
    canon = ct.legacy_types().get(type_name, type_name)
    if canon not in starter_types():
        raise KeyError(type_name)
    ctype = ct.types()[canon]
    base = ct.section_of(canon)
    name = name or f"my-{base}-{ctype.kind}"
    topic = topic or ("demo" if canon == "generator-source" else f"{base}-records")
    text = _HEAD.format(summary=f"{canon}: {ctype.summary}.", type=canon,
                        name_line=_pad(f"name: {name}", 28), topic_line=_pad(f"topic: {topic}", 28))
    required_secrets = [_secret_name(f.alias or n) for n, f in ctype.params.model_fields.items()
                        if f.is_required() and (f.alias or n) in ct.secret_keys(canon)]
    if required_secrets and canon not in _SECTIONS:
        text += "  secrets:                    # values from --secrets FILE or the environment\n"
        text += "".join(f"    - name: {s}\n" for s in required_secrets)
    text += _PRODUCER if ctype.kind == "source" else _CONSUMER.format(
        id_line=_pad(f"id: {name}", 26))
    if not ctype.runnable:
        text = text.replace("run it with `weir connector run --config FILE`",
                            "run it on Fluvio").replace(
            "# Check it", f"# {ct.cannot_run_message(canon)}.\n# Check it")
    section = _SECTIONS.get(canon) or ctype.starter or _generated_section(ctype)
    return text + section + _TRANSFORMS


def _pad(text: str, width: int) -> str:
    return text.ljust(width - 1) + " "
