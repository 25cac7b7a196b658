"""Filing, routing, splitting, merging, answering, publishing, rating and escalation."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError

from chiso.audit.queries import history
from chiso.feedback.models import Feedback, FilerContact, Rating
from chiso.feedback.services import FeedbackEvent
from chiso.feedback.queries import answers_for_filer, feedback_by_code
from chiso.feedback.services import (
    feedback_answer,
    feedback_dismiss,
    feedback_escalate,
    feedback_file,
    feedback_merge,
    feedback_publish,
    feedback_rate,
    feedback_route,
    feedback_split,
    feedback_unpublish,
)
from chiso.feedback.tracking_codes import tracking_hash

D = datetime.date


def test_filing_keeps_only_the_hash_of_the_code_and_the_contact_apart(file_feedback):
    feedback, code = file_feedback()
    assert feedback.number == "PA-2023-00001" and feedback.state == Feedback.State.RECEIVED
    assert feedback.tracking_hash == tracking_hash(code) and code not in repr(Feedback.objects.values().get())
    assert feedback_by_code(code.lower().replace("-", " ")) == feedback  # typed in as people type it
    assert FilerContact.objects.get(feedback=feedback).organisation == "Công ty TNHH Minh Khai"
    second, _code = file_feedback()
    assert second.number == "PA-2023-00002"


def test_an_anonymous_filing_keeps_no_contact_even_if_typed(file_feedback, defaults):
    feedback, _code = feedback_file(type=defaults["khac"], title="T", text="X", filer_kind="citizen", anonymous=True,
                                    consent_publish=False, contact={"name": "Ai đó", "email": "a@b.example"})
    assert not FilerContact.objects.filter(feedback=feedback).exists()


def test_a_named_filing_needs_a_way_to_reply_and_an_association_its_name(file_feedback):
    with pytest.raises(ValidationError):
        file_feedback(contact={"name": ""})
    with pytest.raises(ValidationError):
        file_feedback(filer_kind="association", contact={"email": "x@y.example"})
    feedback, _ = file_feedback(filer_kind="association", on_behalf_of="12 doanh nghiệp vận tải",
                                contact={"organisation": "Hiệp hội Vận tải Cao Bằng"})
    assert feedback.on_behalf_of == "12 doanh nghiệp vận tải"


def test_routing_sets_the_deadline_in_working_days_of_the_type_and_tells_the_unit(file_feedback, units, staff):
    feedback, _ = file_feedback(type="dat-dai")  # 15 working days
    mail.outbox.clear()
    feedback = feedback_route(feedback=feedback, unit=units["tc"], by=staff["secretariat"], today=D(2023, 4, 20))
    # Thursday 20/04/2023: 21, 24–28 April, 4–5 May (1–3 May off), 8–12 May, 15–16 May → 15th is 16/05
    assert feedback.deadline == D(2023, 5, 16) and feedback.state == Feedback.State.ASSIGNED
    assert mail.outbox and mail.outbox[0].to == ["canbo.tc@example.org"]
    rerouted = feedback_route(feedback=feedback, unit=units["xd"], by=staff["secretariat"], today=D(2023, 4, 24))
    assert rerouted.unit == units["xd"] and rerouted.deadline > feedback.deadline
    assert [e.event for e in history(feedback)] == [FeedbackEvent.ROUTED, FeedbackEvent.REROUTED]


def test_split_makes_one_routed_part_per_unit_followed_with_the_same_code(file_feedback, units, staff):
    feedback, code = file_feedback()
    parts = feedback_split(feedback=feedback, parts=[(units["tc"], "Phần thuế"), (units["xd"], "Phần xây dựng")],
                           by=staff["secretariat"], today=D(2023, 3, 2))
    assert [p.number for p in parts] == ["PA-2023-00001-1", "PA-2023-00001-2"]
    assert all(p.state == Feedback.State.ASSIGNED and p.tracking_hash is None for p in parts)
    feedback.refresh_from_db()
    assert feedback.state == Feedback.State.SPLIT
    assert answers_for_filer(feedback_by_code(code)) == parts
    with pytest.raises(ValidationError):
        feedback_split(feedback=parts[0], parts=[(units["tc"], "a"), (units["xd"], "b")], by=staff["secretariat"])


def test_merge_gives_the_second_filer_the_first_answer_and_both_rate_it(file_feedback, units, staff):
    first, code_first = file_feedback()
    second, code_second = file_feedback(anonymous=True)
    feedback_merge(feedback=second, into=first, by=staff["secretariat"])
    with pytest.raises(ValidationError):
        feedback_merge(feedback=first, into=first, by=staff["secretariat"])
    first = feedback_route(feedback=first, unit=units["tc"], by=staff["secretariat"], today=D(2023, 3, 2))
    first = feedback_answer(feedback=first, text="Đã giải quyết.", by=staff["officer"], today=D(2023, 3, 6))
    tracked_second = feedback_by_code(code_second)
    assert answers_for_filer(tracked_second) == [first]
    feedback_rate(tracked=feedback_by_code(code_first), answered=first, score=5, today=D(2023, 3, 7))
    feedback_rate(tracked=tracked_second, answered=first, score=2, today=D(2023, 3, 7))
    assert sorted(Rating.objects.values_list("score", flat=True)) == [2, 5]
    with pytest.raises(ValidationError):
        feedback_rate(tracked=tracked_second, answered=first, score=4)  # once per filer


def test_only_the_units_officer_or_the_secretariat_answers(file_feedback, units, staff):
    feedback, _ = file_feedback()
    feedback = feedback_route(feedback=feedback, unit=units["tc"], by=staff["secretariat"], today=D(2023, 3, 2))
    for user in (staff["other_officer"], staff["leader"], staff["analyst"], staff["appraiser"]):
        with pytest.raises(PermissionDenied):
            feedback_answer(feedback=feedback, text="x", by=user)
    answered = feedback_answer(feedback=feedback, text="Trả lời.", by=staff["officer"], today=D(2023, 3, 3))
    assert answered.answered_by == staff["officer"] and answered.answered_on == D(2023, 3, 3)
    with pytest.raises(PermissionDenied):
        feedback_answer(feedback=answered, text="again", by=staff["officer"])  # answered once


def test_the_filer_is_told_of_the_answer_by_email_only_if_named(file_feedback, units, staff):
    named, _ = file_feedback()
    anonymous, _ = file_feedback(anonymous=True)
    for item in (named, anonymous):
        item = feedback_route(feedback=item, unit=units["tc"], by=staff["secretariat"], today=D(2023, 3, 2))
        mail.outbox.clear()
        feedback_answer(feedback=item, text="Trả lời.", by=staff["officer"], today=D(2023, 3, 3))
        sent_to = [address for message in mail.outbox for address in message.to]
        assert sent_to == (["minh@minhkhai.example"] if item.pk == named.pk else [])


def test_publication_needs_consent_and_a_summary(file_feedback, units, staff):
    agreed, _ = file_feedback()
    refused, _ = file_feedback(consent_publish=False)
    for item in (agreed, refused):
        item = feedback_route(feedback=item, unit=units["tc"], by=staff["secretariat"], today=D(2023, 3, 2))
        feedback_answer(feedback=item, text="Trả lời.", by=staff["officer"], today=D(2023, 3, 3))
    with pytest.raises(ValidationError):
        feedback_publish(feedback=refused, summary="Tóm tắt", by=staff["secretariat"])
    with pytest.raises(ValidationError):
        feedback_publish(feedback=agreed, summary="  ", by=staff["secretariat"])
    published = feedback_publish(feedback=agreed, summary="Doanh nghiệp hỏi về hồ sơ.", by=staff["secretariat"])
    assert published.published_at is not None


def test_dismissal_needs_a_reason(file_feedback, staff):
    feedback, _ = file_feedback()
    with pytest.raises(ValidationError):
        feedback_dismiss(feedback=feedback, reason="", by=staff["secretariat"])
    assert feedback_dismiss(feedback=feedback, reason="Quảng cáo", by=staff["secretariat"]).state == Feedback.State.DISMISSED


def test_escalation_tells_the_unit_then_the_leaders_once_each(file_feedback, units, staff):
    feedback, _ = file_feedback()
    feedback = feedback_route(feedback=feedback, unit=units["tc"], by=staff["secretariat"], today=D(2023, 3, 1))
    assert feedback.deadline == D(2023, 3, 15)
    assert feedback_escalate(today=D(2023, 3, 15)) == []  # due today: not late yet
    mail.outbox.clear()
    [(item, level)] = feedback_escalate(today=D(2023, 3, 16))
    assert level == 1 and sorted(mail.outbox[0].to) == ["canbo.tc@example.org", "thuky@example.org"]
    assert feedback_escalate(today=D(2023, 3, 17)) == []  # once per level
    mail.outbox.clear()
    [(item, level)] = feedback_escalate(today=D(2023, 3, 23))  # 5 working days after the deadline: 22/03
    assert level == 2 and "lanhdao@example.org" in mail.outbox[0].to
    assert feedback_escalate(today=D(2023, 4, 30)) == []
    assert [e.details["level"] for e in history(item).filter(event=FeedbackEvent.ESCALATED)] == [1, 2]


def test_withdrawing_a_published_answer_has_its_own_record(file_feedback, units, staff):
    feedback, _ = file_feedback()
    feedback = feedback_route(feedback=feedback, unit=units["tc"], by=staff["secretariat"], today=D(2023, 3, 2))
    feedback = feedback_answer(feedback=feedback, text="Trả lời.", by=staff["officer"], today=D(2023, 3, 3))
    with pytest.raises(ValidationError):  # nothing to withdraw yet
        feedback_unpublish(feedback=feedback, by=staff["secretariat"], reason="Nêu tên doanh nghiệp")
    feedback_publish(feedback=feedback, summary="Doanh nghiệp hỏi về hồ sơ.", by=staff["secretariat"])
    withdrawn = feedback_unpublish(feedback=feedback, by=staff["secretariat"], reason="Nêu tên doanh nghiệp")
    assert withdrawn.published_at is None
    assert [(e.event, e.reason) for e in history(feedback).filter(event__in=[FeedbackEvent.PUBLISHED, FeedbackEvent.UNPUBLISHED])] == [
        (FeedbackEvent.PUBLISHED, ""), (FeedbackEvent.UNPUBLISHED, "Nêu tên doanh nghiệp")]


def test_only_the_secretariat_handles_feedback(file_feedback, units, staff):
    """accounts.permissions.may_handle_feedback: a unit officer, a leader or an analyst is refused
    before anything changes; answering stays the unit's."""
    feedback, _ = file_feedback()
    other, _ = file_feedback()
    for person in (staff["officer"], staff["leader"], staff["analyst"]):
        for door in (lambda: feedback_route(feedback=feedback, unit=units["tc"], by=person),
                     lambda: feedback_split(feedback=feedback, parts=[(units["tc"], "Một"), (units["xd"], "Hai")], by=person),
                     lambda: feedback_merge(feedback=feedback, into=other, by=person),
                     lambda: feedback_dismiss(feedback=feedback, reason="Quảng cáo", by=person),
                     lambda: feedback_publish(feedback=feedback, summary="Tóm tắt", by=person),
                     lambda: feedback_unpublish(feedback=feedback, by=person, reason="x")):
            with pytest.raises(PermissionDenied):
                door()
    feedback.refresh_from_db()
    assert feedback.state == Feedback.State.RECEIVED and not history(feedback).exists()
