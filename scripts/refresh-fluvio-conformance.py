#!/usr/bin/env python3
"""Refresh tests/config/fluvio_conformance/ from mirrors of Fluvio's repositories.

    python scripts/refresh-fluvio-conformance.py FLUVIO_GIT_DIR WEBSITE_GIT_DIR [--tag v0.17.3]

FLUVIO_GIT_DIR and WEBSITE_GIT_DIR are git directories (bare mirrors work) of
github.com/infinyon/fluvio and github.com/infinyon/fluvio-website. The script copies
Fluvio's connector-config test data (with the verdict Fluvio's own tests expect, read from
their `expect_err` calls), extracts every connector config from the website's `embeds/`
and `content/`, runs Weir's validator over each and writes `expected.json`: each file's
source, Fluvio's verdict where Fluvio's tests state one, and Weir's errors with the reason
a person gave for each (REASONS below). It stops, writing nothing, when a docs example has
errors nobody explained, or an explanation names a file that no longer has errors.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

OUT = REPO / "tests/config/fluvio_conformance"
TEST_DATA = ("crates/fluvio-connector-package/test-data/connectors/",
             "crates/fluvio-connector-package/tests/")
FLUVIO_TESTS = "crates/fluvio-connector-package/src/config/mod.rs"

# Why each docs example Weir rejects is genuinely wrong, and which rule says so.
REASONS: dict[str, str] = {
    "content__connectors__cdk__secrets.md-L43.yaml":
        "undeclared-secret: uses SECRET_NAME_2, which meta.secrets does not declare; "
        "Fluvio fails rendering it (`value not found for secret name`)",
    "content__news__this-week-in-fluvio-0014.md-L25.yaml":
        "yaml-syntax: the MQTT_URL value's closing quote is missing, so no YAML parser "
        "reads the file",
    "content__news__this-week-in-fluvio-0023.md-L19.yaml":
        "yaml-syntax: `- create_topic: true` puts a list item inside the top-level mapping",
    "embeds__connectors-old__outbound-examples__outbound-slack.yaml-L1.yaml":
        "invalid-value: `WEBHOOK_URL:` has no value, so the Slack connector gets an "
        "empty webhook URL",
    "embeds__connectors-old__outbound-examples__outbound-dynamodb.yaml-L1.yaml":
        "invalid-value: AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY are empty strings, so "
        "the DynamoDB connector gets empty credentials",
    "embeds__connectors__inbound__http.md-L75.yaml":
        "yaml-syntax: the Authorization header's closing quote is missing",
    "embeds__templates__connector-template-meta-sink-filled.yaml-L1.yaml":
        "missing-connector-section: a meta-only fragment of the template; an http-sink "
        "config needs its `http:` section with `endpoint`",
    "embeds__templates__connector-template-meta-source-filled.yaml-L1.yaml":
        "missing-connector-section: a meta-only fragment of the template; an http-source "
        "config needs its `http:` section with `endpoint`",
    "embeds__templates__connector-template.yaml-L1.yaml":
        "wrong-type, invalid-partition, offset-needs-strategy, invalid-name: the blank "
        "template, whose empty values (name, version, type, topic, partition, strategy) "
        "Fluvio "
        "rejects, and whose `smartmodule_name` breaks the SmartModule name rule",
}


def git(git_dir: Path, *args: str) -> str:
    return subprocess.run(["git", "--git-dir", str(git_dir), *args], check=True,
                          capture_output=True, text=True).stdout


def fluvio_files(git_dir: Path, tag: str) -> dict[str, tuple[str, str]]:
    """name -> (path in the repo, text) for Fluvio's YAML test data."""
    out = {}
    for prefix in TEST_DATA:
        for path in git(git_dir, "ls-tree", "-r", "--name-only", tag, prefix).split():
            if path.endswith((".yaml", ".yml")):
                out[Path(path).name] = (path, git(git_dir, "show", f"{tag}:{path}"))
    return out


def fluvio_verdicts(git_dir: Path, tag: str, names: list[str]) -> dict[str, dict]:
    """What Fluvio's own tests say of each file: rejected (`expect_err`) or accepted, with
    the error text a test asserts when it asserts one."""
    source = git(git_dir, "show", f"{tag}:{FLUVIO_TESTS}")
    verdicts = {name: {"fluvio": "accepted", "fluvio_error": None} for name in names}
    calls = list(re.finditer(r'from_file\(\s*"[^"]*?([\w.-]+\.ya?ml)"\s*\)', source))
    for i, call in enumerate(calls):
        name = call.group(1)
        if name not in verdicts:
            continue
        end = calls[i + 1].start() if i + 1 < len(calls) else len(source)
        after = source[call.end():end]
        rejected = re.match(r"\s*\.expect_err", after) or (
            re.match(r"\s*;", after) and "is_err()" in after[:200])
        if rejected:
            verdicts[name]["fluvio"] = "rejected"
            said = re.search(r'assert(?:_eq)?!\(\s*"((?:[^"\\]|\\.)*)"', after) or \
                re.search(r'contains\("((?:[^"\\]|\\.)*)"\)', after)
            if said:
                verdicts[name]["fluvio_error"] = said.group(1).encode().decode(
                    "unicode_escape")
    return verdicts


_BLOCK = re.compile(r"^```+[^\n]*\n(.*?)^```", re.M | re.S)


def docs_files(git_dir: Path, rev: str) -> dict[str, tuple[str, int, str]]:
    """name -> (path, line, text) for each connector config in the website's docs."""
    out = {}
    paths = git(git_dir, "ls-tree", "-r", "--name-only", rev, "embeds", "content").split()
    for path in paths:
        if not path.endswith((".md", ".yaml", ".yml")):
            continue
        text = git(git_dir, "show", f"{rev}:{path}")
        if path.endswith(".md"):
            blocks = [(m.group(1), text[:m.start()].count("\n") + 2)
                      for m in _BLOCK.finditer(text)]
        else:
            blocks = [(text, 1)]
        for block, line in blocks:
            if (re.search(r"^(apiVersion:|meta:|version:)", block, re.M)
                    and re.search(r"^\s*(type|name):", block, re.M)
                    and re.search(r"^\s*topic:", block, re.M)):
                out[f"{path.replace('/', '__')}-L{line}.yaml"] = (path, line, block)
    return out


def weir_verdict(text: str) -> dict:
    from runtime.config.validate import validate_text

    report = validate_text(text)
    return {"weir_valid": report.valid,
            "errors": [[d.code, d.line, d.column] for d in report.errors]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("fluvio", type=Path)
    parser.add_argument("website", type=Path)
    parser.add_argument("--tag", default="v0.17.3")
    parser.add_argument("--website-rev", default="HEAD")
    args = parser.parse_args()
    website_commit = git(args.website, "rev-parse", args.website_rev).strip()
    fluvio_commit = git(args.fluvio, "rev-parse", f"{args.tag}^{{commit}}").strip()

    fluvio = fluvio_files(args.fluvio, args.tag)
    verdicts = fluvio_verdicts(args.fluvio, args.tag, list(fluvio))
    docs = docs_files(args.website, website_commit)
    expected: dict[str, dict] = {"fluvio": {}, "docs": {}}
    for name, (path, text) in sorted(fluvio.items()):
        expected["fluvio"][name] = {"source": f"infinyon/fluvio@{args.tag}:{path}",
                                    **verdicts[name], **weir_verdict(text)}
    problems = []
    for name, (path, line, text) in sorted(docs.items()):
        found = weir_verdict(text)
        reason = REASONS.get(name)
        if found["errors"] and not reason:
            problems.append(f"{name}: errors {found['errors']} but no reason in REASONS")
        if reason and not found["errors"]:
            problems.append(f"{name}: has a reason in REASONS but no error")
        expected["docs"][name] = {
            "source": f"infinyon/fluvio-website@{website_commit[:12]}:{path}#L{line}",
            **found, "reason": reason}
    for name in REASONS:
        if name not in docs:
            problems.append(f"{name}: in REASONS but no longer in the docs")
    for name, entry in expected["fluvio"].items():
        if entry["weir_valid"] != (entry["fluvio"] == "accepted"):
            problems.append(f"{name}: Fluvio's tests say {entry['fluvio']}, Weir says "
                            f"{'valid' if entry['weir_valid'] else 'invalid'}")
    if problems:
        print("not refreshed:\n  " + "\n  ".join(problems), file=sys.stderr)
        return 1
    for sub, files in (("fluvio", {n: t for n, (_, t) in fluvio.items()}),
                       ("docs", {n: t for n, (_, _, t) in docs.items()})):
        shutil.rmtree(OUT / sub, ignore_errors=True)
        (OUT / sub).mkdir(parents=True)
        for name, text in files.items():
            (OUT / sub / name).write_text(text, encoding="utf-8")
    expected["sources"] = {"fluvio": f"infinyon/fluvio {args.tag} ({fluvio_commit})",
                           "website": f"infinyon/fluvio-website {website_commit}"}
    (OUT / "expected.json").write_text(json.dumps(expected, indent=1, sort_keys=True) + "\n")
    print(f"wrote {len(fluvio)} Fluvio test files and {len(docs)} docs configs to "
          f"{OUT.relative_to(REPO)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
