"""Issue 17 on PostgreSQL: after 100 web submissions, neither transaction ids (xmin) nor the order
of rows in a pg_dump file link a response to its invitation, beyond the batch of ≥ k it came in.

Run against a database of your own, e.g.
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chiso_anon .venv/bin/python -m pytest tests/surveys/test_anonymity_pg.py
(the tests are skipped on SQLite). docs/security.md, "Responses and invitations".
"""

import json
import random
import shutil
import subprocess
from collections import defaultdict

import psycopg
import pytest
from django.db import connection

from chiso.surveys.fieldwork.mailing import member_invitation
from chiso.surveys.models import Draft, Invitation, Response, SampleMember
from chiso.surveys.fieldwork.sampling import sample_draw
from chiso.surveys.services import draft_for_token, response_submit

from .conftest import ddci_answers

K = 5
N = 100

# The query of the security review: each response joined to its business through the invitation
# written in the same transaction.
XMIN_JOIN = """
    SELECT r.id, i.label, e.tax_code FROM surveys_response r
    JOIN surveys_invitation i ON i.xmin::text = r.xmin::text
    JOIN surveys_samplemember m ON m.invitation_id = i.id
    JOIN surveys_frameentry e ON e.id = m.entry_id
"""


def spearman(x, y) -> float:
    """Spearman's rank correlation of two lists without ties."""
    n = len(x)
    rx = {v: i for i, v in enumerate(sorted(x))}
    ry = {v: i for i, v in enumerate(sorted(y))}
    d2 = sum((rx[a] - ry[b]) ** 2 for a, b in zip(x, y))
    return 1 - 6 * d2 / (n * (n * n - 1))


@pytest.fixture
def submitted(ddci_survey, make_frame):
    """100 sampled businesses answer, each once, in an order of their own (not the invitations')."""
    if connection.vendor != "postgresql":
        pytest.skip("xmin and pg_dump are PostgreSQL's")
    sample = sample_draw(survey=ddci_survey, frame=make_frame(2 * N), strata=[], size=N, seed=17, by=None)
    members = list(SampleMember.objects.filter(sample=sample, active=True).order_by("pk"))
    tokens = {}
    for member in members:
        invitation, token = member_invitation(member)
        tokens[invitation.pk] = token
    order = list(tokens)
    random.Random(2026).shuffle(order)
    truth = {}  # the answer that identifies each respondent's response -> its invitation (the test's knowledge only)
    for n, invitation_id in enumerate(order):
        draft = draft_for_token(token=tokens[invitation_id])
        Draft.objects.filter(pk=draft.pk).update(answers=ddci_answers(so_lao_dong=str(1000 + n)), active_seconds=400 + 7 * n)
        response_submit(survey_id=ddci_survey.pk, draft_key=draft.key, client_key=f"click-{n}")
        truth[1000 + n] = invitation_id
    assert Response.objects.count() == N and Invitation.objects.filter(status=Invitation.Status.COMPLETED).count() == N
    return ddci_survey, truth


def _rows(sql):
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchall()


@pytest.mark.django_db(transaction=True)
def test_xmin_joins_nothing_and_groups_no_fewer_than_k(submitted):
    survey, truth = submitted
    assert _rows(XMIN_JOIN) == []
    with connection.cursor() as cursor:  # freezing keeps xmin readable (PostgreSQL ≥ 9.4): still nothing
        cursor.execute("VACUUM FREEZE surveys_response, surveys_invitation")
    assert _rows(XMIN_JOIN) == []
    responses = _rows("SELECT r.xmin::text, (r.answers->>'so_lao_dong')::int FROM surveys_response r")
    invitations = _rows(f"SELECT i.xmin::text, i.id FROM surveys_invitation i WHERE i.survey_id = {survey.pk} AND i.status = 'completed'")
    by_xmin = defaultdict(list)
    for xmin, marker in responses:
        by_xmin[int(xmin)].append(marker)
    assert min(len(group) for group in by_xmin.values()) >= K  # arrival order, at best, by batch
    completions = defaultdict(set)
    for xmin, invitation_id in invitations:
        completions[int(xmin)].add(invitation_id)
    assert min(len(group) for group in completions.values()) >= K
    # The closest attack by transaction ids: each batch of responses to the completions written
    # next. It finds each response's business among k or more, never alone.
    following = sorted(completions)
    for xmin, markers in by_xmin.items():
        candidates = completions[min(x for x in following if x > xmin)]
        assert len(candidates) >= K
        assert {truth[m] for m in markers} == candidates  # the batch, and nothing finer


@pytest.fixture
def old_snapshot(transactional_db):
    """Another session holding a snapshot from before the first submission to the end: no page of
    the invitations can be pruned meanwhile (as while a pg_dump or a long report runs). In the
    full suite another test's connection did this, and the dump orders correlated (0.87)."""
    if connection.vendor != "postgresql":
        pytest.skip("pruning and pg_dump are PostgreSQL's")
    settings = connection.settings_dict
    other = psycopg.connect(host=settings["HOST"] or "127.0.0.1", port=settings["PORT"] or 5432, user=settings["USER"],
                            password=settings["PASSWORD"] or None, dbname=settings["NAME"])
    other.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
    other.execute("SELECT count(*) FROM surveys_invitation").fetchone()  # the snapshot is taken here
    yield
    other.rollback()
    other.close()


@pytest.mark.django_db(transaction=True)
def test_the_order_of_a_pg_dump_says_nothing_of_who_answered_what(submitted):
    _dump_orders_say_nothing(*submitted)


@pytest.mark.django_db(transaction=True)
def test_the_order_of_a_pg_dump_says_nothing_even_while_an_old_snapshot_stops_pruning(old_snapshot, submitted):
    _dump_orders_say_nothing(*submitted)


def _dump_orders_say_nothing(survey, truth):
    if shutil.which("pg_dump") is None:
        pytest.skip("pg_dump is not installed")
    settings = connection.settings_dict
    dump = subprocess.run(
        ["pg_dump", "--data-only", "-t", "surveys_response", "-t", "surveys_invitation",
         "-h", settings["HOST"] or "127.0.0.1", "-p", str(settings["PORT"] or 5432), "-U", settings["USER"], settings["NAME"]],
        capture_output=True, text=True, check=True, env={"PGPASSWORD": settings["PASSWORD"] or "", "PATH": "/usr/bin:/bin"},
    ).stdout
    tables, current = defaultdict(list), None
    for line in dump.splitlines():
        if line.startswith("COPY "):
            current = line.split()[1].split(".")[-1]
            columns = line[line.index("(") + 1:line.index(")")].split(", ")
        elif line == "\\.":
            current = None
        elif current:
            tables[current].append(dict(zip(columns, line.split("\t"))))
    response_rank = {}
    for rank, row in enumerate(tables["surveys_response"]):
        response_rank[json.loads(row["answers"])["so_lao_dong"]] = rank
    invitation_rank = {int(row["id"]): rank for rank, row in enumerate(tables["surveys_invitation"]) if row["status"] == "completed"}
    assert len(response_rank) == len(invitation_rank) == N
    markers = sorted(response_rank)
    rho = spearman([response_rank[m] for m in markers], [invitation_rank[truth[m]] for m in markers])
    # With the response written in its invitation's transaction, this was 0.96 (issue 17); now
    # what is left is the order within each page of invitations (0.15 here, smaller with more).
    assert abs(rho) < 0.35, rho
    # Within a batch, the two orders are unrelated: over the 20 batches the correlation averages out.
    batches = defaultdict(list)
    for m in markers:
        batches[response_rank[m] // K].append(m)
    within = [spearman([response_rank[m] for m in ms], [invitation_rank[truth[m]] for m in ms]) for ms in batches.values() if len(ms) == K]
    assert abs(sum(within) / len(within)) < 0.35, within
