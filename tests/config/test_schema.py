"""`weir config schema` is a real JSON Schema that accepts the good examples and flags
typical mistakes, as an editor using it would."""

from __future__ import annotations

import pytest
import yaml

from runtime.config.schema import config_schema, connector_types, type_schema
from runtime.config.starters import LEGACY_ONLY, starter, starter_types
from tests.conftest import REPO

# in the test extras (CI has it); a venv installed before it was added skips, not errors
jsonschema = pytest.importorskip("jsonschema")
EXAMPLES = REPO / "examples" / "connectors"


def _validator(fmt: str) -> jsonschema.Draft202012Validator:
    schema = config_schema(fmt)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_good_examples_pass_their_schema():
    assert not list(_validator("current").iter_errors(
        yaml.safe_load((EXAMPLES / "cat-facts.yaml").read_text())))
    assert not list(_validator("current").iter_errors(
        yaml.safe_load((EXAMPLES / "demo.yaml").read_text())))
    assert not list(_validator("legacy").iter_errors(
        yaml.safe_load((EXAMPLES / "cat-facts.legacy.yaml").read_text())))


@pytest.mark.parametrize("type_name", starter_types())
def test_starters_pass_the_schema(type_name):
    assert not list(_validator("current").iter_errors(yaml.safe_load(starter(type_name))))


def test_schema_flags_typos_and_wrong_values():
    v = _validator("current")
    data = yaml.safe_load((EXAMPLES / "invalid" / "typos.yaml").read_text())
    messages = " ".join(e.message for e in v.iter_errors(data))
    assert "prodcer" in messages and "intervall" in messages
    data = yaml.safe_load((EXAMPLES / "cat-facts.yaml").read_text())
    data["meta"]["producer"]["compression"] = "gzipaoeu"
    assert list(v.iter_errors(data))


def test_legacy_schema_checks_parameters_by_type():
    v = _validator("legacy")
    data = yaml.safe_load((EXAMPLES / "cat-facts.legacy.yaml").read_text())
    data["parameters"]["output_type"] = "xml"
    assert list(v.iter_errors(data))


def test_type_schemas_for_completion():
    assert {t["type"] for t in connector_types()} == {*starter_types(), *LEGACY_ONLY}
    assert type_schema("http")["properties"]["endpoint"]
    with pytest.raises(KeyError):
        type_schema("nope")
