"""Demo surveys: the two DDCI questionnaires, an open DDCI survey of the departments with
invitation links whose tokens are public (demo only), and synthetic responses.

Every answer here is synthetic.
"""

from __future__ import annotations

import datetime
import hashlib
import random
from pathlib import Path

from django.utils import timezone

from chiso.units.models import Period

from chiso.surveys.collection.evaluation import Evaluation
from chiso.surveys.models import Invitation, Response, Survey
from chiso.surveys.queries import units_choices
from chiso.surveys.services import (
    idempotency_hash,
    invitation_spent,
    invitation_with_token,
    questionnaire_import,
    response_store,
    survey_create,
    token_hash,
)

DATA = Path(__file__).resolve().parent / "data"
DEMO_SURVEY = "ddci-2025-so-nganh"
DEMO_COMMUNE_SURVEY = "ddci-2025-xa-phuong"
DEMO_INVITATIONS = 20
SYNTHETIC_RESPONSES = 40


def demo_token(number: int) -> str:
    """Public, deterministic demo tokens (a real survey's tokens are random: services.invitations_create)."""
    return "demo" + hashlib.sha256(f"chiso-demo-ddci-{number}".encode()).hexdigest()[:20]


def load() -> None:
    period = Period.objects.filter(code="2025").first()
    if period is None:
        return
    versions = {}
    for name in ("ddci_departments.xlsx", "ddci_communes.xlsx"):
        result = questionnaire_import(file_name=name, content=(DATA / name).read_bytes(), by=None)
        versions[name] = result.version
    now = timezone.now()
    if not Survey.objects.filter(code=DEMO_SURVEY).exists():
        survey_create(
            code=DEMO_SURVEY, title_vi="Khảo sát DDCI 2025 – Sở, ban, ngành", title_en="DDCI 2025 – Departments",
            period=period, version=versions["ddci_departments.xlsx"], opens_at=now - datetime.timedelta(days=1),
            closes_at=now + datetime.timedelta(days=365), by=None
        )
    if not Survey.objects.filter(code=DEMO_COMMUNE_SURVEY).exists():
        survey_create(
            code=DEMO_COMMUNE_SURVEY, title_vi="Khảo sát DDCI 2025 – Xã, phường", title_en="DDCI 2025 – Communes and wards",
            period=period, version=versions["ddci_communes.xlsx"], opens_at=now - datetime.timedelta(days=1),
            closes_at=now + datetime.timedelta(days=365), open_link=True, by=None
        )
    survey = Survey.objects.get(code=DEMO_SURVEY)
    for number in range(1, DEMO_INVITATIONS + 1):
        invitation_with_token(survey=survey, token=demo_token(number), label=f"DN-{number:03d} (demo)")
    _synthetic_responses(survey)


def _synthetic_responses(survey: Survey) -> None:
    rng = random.Random(2025)
    form = survey.version.form
    external = units_choices(survey)
    codes = [c.name for c in external.get("units_department.csv", [])]
    if not codes:
        return
    for number in range(SYNTHETIC_RESPONSES):
        key = idempotency_hash(survey.pk, f"demo-synthetic-{number}")
        if Response.objects.filter(idempotency_key=key).exists():
            continue
        picked = rng.sample(codes, k=min(len(codes), rng.randint(1, 3)))
        entries = []
        for _code in picked:
            informal = rng.random() < 0.2
            entry = {
                "minh_bach": str(rng.randint(2, 5)), "nang_dong": str(rng.randint(1, 5)), "canh_tranh": str(rng.randint(2, 5)),
                "so_lan_di_lai": str(rng.randint(1, 5)), "chi_phi_khong_chinh_thuc": "co" if informal else "khong",
                "diem_chung": str(rng.randint(4, 10)),
            }
            if informal:
                entry["ty_le_chi_phi"] = str(round(rng.uniform(0.5, 3), 1))
            entries.append(entry)
        answers = {
            "loai_hinh": rng.choice(["dntn", "tnhh", "co_phan", "htx"]), "nganh_nghe": rng.choice(["nong_lam", "cong_nghiep", "thuong_mai", "du_lich"]),
            "so_lao_dong": str(rng.randint(2, 300)), "nam_thanh_lap": str(rng.randint(1995, 2024)),
            "don_vi_lien_he": " ".join(picked), "hinh_thuc_lien_he": rng.choice(["truc_tiep", "truc_tuyen"]), "danh_gia": entries,
        }
        evaluation = Evaluation(form, answers, external=external, language="vi")
        if evaluation.errors():
            raise ValueError(f"synthetic response {number} does not pass the form: {evaluation.errors()}")
        day = timezone.localdate() - datetime.timedelta(days=rng.randint(0, 20))
        response_store(survey=survey, version=survey.version, evaluation=evaluation, key=key, day=day, channel=Response.Channel.WEB)


def demo_notes() -> list[str]:
    """What to look at in the surveys of the demo, for `demo_logins` (paths on the demo site)."""
    lines = []
    communes = Survey.objects.filter(code=DEMO_COMMUNE_SURVEY, open_link=True).first()
    if communes is not None and communes.open_key:
        lines.append(f"Communes survey, open link (the communes: a searchable list): http://127.0.0.1:8000/s/open/{communes.open_key}/")
    if Survey.objects.filter(code=DEMO_SURVEY).exists():
        lines += [
            f"Invitations in every status (log in as thuky): http://127.0.0.1:8000/surveys/{DEMO_SURVEY}/invitations/status/",
            f"Paper forms typed twice, PB-006 to settle (thuky; typed by nhaplieu1 and nhaplieu2): http://127.0.0.1:8000/surveys/{DEMO_SURVEY}/paper/",
            "Enumerator app (thuky): http://127.0.0.1:8000/surveys/enumerator/ -> open a survey once online, then switch the network off "
            "(DevTools > Network > Offline), save forms: they wait on this browser profile (\"chờ gửi\") until the network returns.",
        ]
    return lines


def demo_link() -> str | None:
    """The first demo invitation link not yet used, for `demo_logins`."""
    survey = Survey.objects.filter(code=DEMO_SURVEY).first()
    if survey is None:
        return None
    for number in range(1, DEMO_INVITATIONS + 1):
        token = demo_token(number)
        invitation = Invitation.objects.filter(token_hash=token_hash(token), survey=survey).first()
        if invitation is not None and not invitation_spent(invitation):
            return f"/s/{token}/"
    return None
