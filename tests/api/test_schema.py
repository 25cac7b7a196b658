"""The API against its own OpenAPI schema with schemathesis (its Python API, on the WSGI app):
every operation with generated inputs (valid and invalid) and a token, on the small province
of tests/results; no answer may be a server error (500), and every status code, content type
and body must match the schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from chiso.accounts.models import Role
from chiso.api.api import api
from chiso.api.services import api_token_create
from chiso.wsgi import application

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_dict(api.get_openapi_schema(path_prefix="/api/v1"))
schema.app = application


@pytest.fixture
def token(sample, make_user, settings):
    settings.CHISO_API_ANON_RATE = settings.CHISO_API_USER_RATE = "100000/m"
    # The WSGI app is called inside the test's transaction: like Django's test client, keep
    # it from closing the database connection at the end of each request (PostgreSQL).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield api_token_create(user=make_user("thuky", Role.SECRETARIAT), name="schemathesis")[1]
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), database=None)
def test_every_operation_answers_as_its_schema_says(case, token):
    # A cursor is an opaque string the API hands out: any other string is rightly refused with
    # 422, which the "valid data must be accepted" check would count as a failure.
    case.call_and_validate(headers={"Authorization": f"Bearer {token}", "Host": "127.0.0.1"},
                           excluded_checks=[positive_data_acceptance])
