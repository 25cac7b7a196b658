"""The daily e-mail: one message per person with every notice not yet e-mailed nor read, of every
kind (tasks, feedback, PAR assessment). Each notice is e-mailed once; a second run the same day
sends nothing new."""

from __future__ import annotations

import datetime
from collections import defaultdict

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import ngettext

from .models import Notice
from .kinds import notices_load


def base_url_default() -> str:
    return getattr(settings, "CHISO_BASE_URL", "").rstrip("/")


@transaction.atomic
def notices_email(*, today: datetime.date, base_url: str | None = None, progress=None) -> int:
    """E-mail each person their new notices in one message; returns how many e-mails were sent."""
    base_url = (base_url if base_url is not None else base_url_default()).rstrip("/")
    pending = (
        Notice.objects.filter(emailed_at__isnull=True, read_at__isnull=True, user__is_active=True)
        .exclude(user__email="").select_related("user").order_by("user_id", "kind", "created_at", "pk")
    )
    by_user: dict = defaultdict(list)
    for notice in notices_load(pending):
        by_user[notice.user].append(notice)
    messages = []
    with translation.override(settings.LANGUAGE_CODE):
        for number, (user, notices) in enumerate(by_user.items(), start=1):
            subject = ngettext("chiso: %(count)s notice on %(day)s", "chiso: %(count)s notices on %(day)s", len(notices)) % {
                "count": len(notices), "day": date_format(today, "SHORT_DATE_FORMAT")}
            body = render_to_string("notices/digest_email.txt", {"user": user, "notices": notices, "base_url": base_url})
            messages.append((subject, body, settings.DEFAULT_FROM_EMAIL, [user.email]))
            if progress:
                progress(number, len(by_user))
    if messages:
        send_mass_mail(messages, fail_silently=False)
    Notice.objects.filter(pk__in=[n.pk for notices in by_user.values() for n in notices]).update(emailed_at=timezone.now())
    return len(messages)
