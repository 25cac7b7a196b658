"""The API's description as Swagger UI reads it: /api/v1/openapi.json repeats no key in any
object (Swagger UI parses JSON as YAML and refuses a "duplicated mapping key", e.g. "404" beside
404) and is a valid OpenAPI document (openapi-spec-validator)."""

import json

import pytest
from openapi_spec_validator import validate
from openapi_spec_validator.validation.exceptions import OpenAPIValidationError

API = "/api/v1"


class DuplicateKey(ValueError):
    pass


def strict_json(text: str | bytes):
    """json.loads that refuses an object holding a key twice (json.loads keeps the last one)."""

    def no_duplicates(pairs):
        keys = [key for key, _value in pairs]
        repeated = sorted({key for key in keys if keys.count(key) > 1})
        if repeated:
            raise DuplicateKey(f"repeated keys {repeated} in an object with keys {keys}")
        return dict(pairs)

    return json.loads(text, object_pairs_hook=no_duplicates)


def test_the_strict_parser_catches_a_repeated_key():
    with pytest.raises(DuplicateKey):
        strict_json('{"responses": {"404": {}, "200": {}, "404": {}}}')
    assert strict_json('{"responses": {"404": {}, "200": {}}}') == {"responses": {"404": {}, "200": {}}}


@pytest.fixture
def document(client, db):
    response = client.get(f"{API}/openapi.json")
    assert response.status_code == 200
    return strict_json(response.content)


def test_the_schema_repeats_no_key_and_is_valid_openapi(document):
    assert document["openapi"].startswith("3.")
    validate(document)  # raises OpenAPIValidationError with the path of the first problem
    operations = [op for path in document["paths"].values() for op in path.values()]
    assert len(operations) > 10
    for operation in operations:
        assert all(code.isdigit() or code == "default" for code in operation["responses"]), operation["operationId"]


def test_the_validator_refuses_a_broken_document(document):
    broken = json.loads(json.dumps(document))
    next(iter(broken["paths"].values()))["get"]["responses"] = {"200": {"content": {}}}  # no description
    with pytest.raises(OpenAPIValidationError):
        validate(broken)


def test_the_csv_operations_document_their_variants(document):
    for path in (f"{API}/runs/{{run_id}}/results.csv", f"{API}/internal/runs/{{run_id}}/results.csv"):
        operation = document["paths"][path]["get"]
        parameters = {p["name"]: p for p in operation["parameters"]}
        assert {"variant", "full_precision"} <= set(parameters), path
        assert "text/csv" in operation["responses"]["200"]["content"]


def test_swagger_ui_is_served_from_our_own_files(client, db):
    html = client.get(f"{API}/docs").content.decode()
    assert f"{API}/openapi.json" in html and "cdn." not in html
