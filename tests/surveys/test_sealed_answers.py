"""Answers in progress and answers waiting for their batch are sealed: the database (and so its
dumps, replicas and WAL) holds ciphertext; only the application's secret key opens it."""

import importlib
import json
import uuid

import pytest
from django.db import connection

from chiso.core.sealed import PREFIX, SealBroken, seal, unseal
from chiso.surveys.models import Draft, HeldResponse, Response
from chiso.surveys.services import responses_flush

pytestmark = pytest.mark.django_db

SECRET_ANSWER = "Cán bộ Sở X đòi 5 triệu đồng"


def raw(table: str, column: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table}")
        return [row[0] for row in cursor.fetchall()]


def test_a_draft_saved_by_a_respondent_is_ciphertext_in_the_table(ddci_survey):
    draft = Draft.objects.create(key="k" * 64, survey=ddci_survey, version=ddci_survey.version,
                                 answers={"gop_y": SECRET_ANSWER, "so_lan": 3})
    Draft.objects.filter(pk=draft.pk).update(answers={"gop_y": SECRET_ANSWER, "so_lan": 4})
    [stored] = raw("surveys_draft", "answers")
    assert stored.startswith(PREFIX) and "gop_y" not in stored and "5 triệu" not in stored
    assert Draft.objects.get(pk=draft.pk).answers == {"gop_y": SECRET_ANSWER, "so_lan": 4}
    assert list(Draft.objects.values_list("answers", flat=True)) == [{"gop_y": SECRET_ANSWER, "so_lan": 4}]


def test_held_answers_and_their_units_are_ciphertext_until_their_batch(ddci_survey):
    HeldResponse.objects.create(id=uuid.uuid4(), survey=ddci_survey, version=ddci_survey.version, answers={"gop_y": SECRET_ANSWER},
                                rated_units=["S-TC"], channel="web", idempotency_key="h" * 64)
    for column in ("answers", "rated_units"):
        [stored] = raw("surveys_heldresponse", column)
        assert stored.startswith(PREFIX) and "S-TC" not in stored and "gop_y" not in stored
    responses_flush(survey=ddci_survey, force=True)
    response = Response.objects.get()
    assert response.answers == {"gop_y": SECRET_ANSWER} and response.rated_units == ["S-TC"]  # the batch opens them
    assert not HeldResponse.objects.exists()


def test_keys_rotate_through_the_fallbacks_and_a_wrong_key_opens_nothing(settings):
    sealed = seal({"a": 1})
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "a-new-secret-key-" * 3, [settings.SECRET_KEY]
    assert unseal(sealed) == {"a": 1}  # sealed under the old key, still open
    assert unseal(seal({"b": 2})) == {"b": 2}
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(SealBroken):
        unseal(sealed)
    with pytest.raises(SealBroken):
        unseal(json.dumps({"a": 1}))  # plain text is never taken for a sealed value
    tampered = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    with pytest.raises(SealBroken):
        unseal(tampered)


def test_the_migration_seals_rows_written_before_it(ddci_survey):
    migration = importlib.import_module("chiso.surveys.migrations.0009_answers_in_progress_sealed")
    draft = Draft.objects.create(key="p" * 64, survey=ddci_survey, version=ddci_survey.version)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE surveys_draft SET answers = %s WHERE id = %s", [json.dumps({"gop_y": SECRET_ANSWER}), draft.pk])

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.seal_existing(None, editor)
    [stored] = raw("surveys_draft", "answers")
    assert stored.startswith(PREFIX) and "gop_y" not in stored
    assert Draft.objects.get(pk=draft.pk).answers == {"gop_y": SECRET_ANSWER}
