"""`cvtex schema`: a JSON Schema that accepts the reference cv.yaml, refuses unknown keys, and
matches the committed cvtex.schema.json."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import jsonschema
import pytest
import yaml
from click.testing import CliRunner

from cvtex import cli

from .conftest import ROOT

COMMITTED = ROOT / "cvtex.schema.json"


@pytest.fixture(scope="module")
def printed() -> str:
    result = CliRunner().invoke(cli.main, ["schema"])
    assert result.exit_code == 0, result.output
    return result.stdout


@pytest.fixture(scope="module")
def validator(printed: str) -> jsonschema.Draft202012Validator:
    schema = json.loads(printed)
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)


def _as_json(value: Any) -> Any:
    """What an editor's YAML language server sees: dates are strings there."""
    if isinstance(value, dict):
        return {k: _as_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_json(v) for v in value]
    return value.isoformat() if isinstance(value, dt.date) else value


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    data = _as_json(yaml.safe_load((ROOT / "cv.yaml").read_text("utf-8")))
    assert isinstance(data, dict)
    return data


def _messages(validator: jsonschema.Draft202012Validator, data: object) -> list[str]:
    return [e.message for e in validator.iter_errors(data)]


def test_committed_schema_is_current(printed: str) -> None:
    assert COMMITTED.is_file(), "cvtex.schema.json is missing: cvtex schema > cvtex.schema.json"
    assert COMMITTED.read_text("utf-8") == printed, (
        "cvtex.schema.json is stale; regenerate it with: cvtex schema > cvtex.schema.json")


def test_it_is_a_2020_12_schema_with_a_title(printed: str) -> None:
    schema = json.loads(printed)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == "cvtex cv.yaml"
    assert schema["required"] == ["name"]


def test_reference_is_accepted(validator: jsonschema.Draft202012Validator,
                               reference: dict[str, Any]) -> None:
    assert _messages(validator, reference) == []


def test_unknown_top_level_key_is_refused(validator: jsonschema.Draft202012Validator,
                                          reference: dict[str, Any]) -> None:
    data = {**reference, "nmae": "Qizhen Weng"}
    assert _messages(validator, data) == [
        "Additional properties are not allowed ('nmae' was unexpected)"]


def test_unknown_key_in_an_entry_is_refused(validator: jsonschema.Draft202012Validator,
                                            reference: dict[str, Any]) -> None:
    data = copy.deepcopy(reference)
    data["sections"][6]["entries"][0]["nmae"] = "Wei Wang"
    assert not validator.is_valid(data)
    data["sections"][6]["entries"][0].pop("nmae")
    assert validator.is_valid(data)


@pytest.mark.parametrize(("key", "value"), [
    ("engine", "pdftex"), ("theme", 5), ("layout", {"paper": "a5"}), ("sections", [{"kind": "x"}]),
])
def test_wrong_values_are_refused(validator: jsonschema.Draft202012Validator,
                                  reference: dict[str, Any], key: str, value: object) -> None:
    assert not validator.is_valid({**reference, key: value})


def test_name_is_required(validator: jsonschema.Draft202012Validator,
                          reference: dict[str, Any]) -> None:
    data = {k: v for k, v in reference.items() if k != "name"}
    assert _messages(validator, data) == ["'name' is a required property"]
