"""Stratified samples: reproducible with the recorded seed, sizes per stratum, replacements."""

import pytest
from django.core.exceptions import ValidationError

from chiso.audit.queries import history
from chiso.surveys.models import Invitation, SampleMember
from chiso.surveys.fieldwork.sampling import frame_strata, member_replace, parse_sizes, proportional_sizes, sample_draw

pytestmark = pytest.mark.django_db


def _drawn(sample):
    return sorted(SampleMember.objects.filter(sample=sample, active=True).values_list("entry__tax_code", flat=True))


def test_proportional_allocation_adds_up_by_largest_remainder():
    sizes = proportional_sizes({"a": 50, "b": 30, "c": 20}, 7)
    assert sum(sizes.values()) == 7 and sizes == {"a": 4, "b": 2, "c": 1}


def test_the_same_seed_draws_the_same_sample_and_strata_get_their_share(ddci_survey, make_frame, make_survey, ddci_version):
    frame = make_frame(40)
    strata = frame_strata(frame, ["sector", "size"])
    assert set(strata) == {"C · nhỏ", "C · siêu nhỏ", "G · nhỏ", "G · siêu nhỏ"}
    first = sample_draw(survey=ddci_survey, frame=frame, strata=["sector", "size"], size=20, seed=12345, by=None)
    assert first.seed == 12345 and first.size == 20 and sum(first.sizes.values()) == 20
    assert all(n == 5 for n in first.sizes.values())  # 10 entries per stratum, half sampled
    per_stratum = {s: SampleMember.objects.filter(sample=first, stratum=s, active=True).count() for s in strata}
    assert per_stratum == first.sizes
    # ceil(0.5 × 5) = 3 ranked replacements per stratum, never also sampled
    replacements = SampleMember.objects.filter(sample=first, role=SampleMember.Role.REPLACEMENT)
    assert replacements.count() == 12 and not replacements.filter(active=True).exists()
    assert sorted(replacements.filter(stratum="C · nhỏ").values_list("position", flat=True)) == [1, 2, 3]
    drawn = _drawn(first)
    other = make_survey(ddci_version, code="ddci-other")
    again = sample_draw(survey=other, frame=frame, strata=["sector", "size"], size=20, seed=12345, by=None)
    assert _drawn(again) == drawn
    different = sample_draw(survey=other, frame=frame, strata=["sector", "size"], size=20, seed=54321, by=None)
    assert _drawn(different) != drawn


def test_a_random_seed_is_chosen_and_recorded(ddci_survey, make_frame):
    sample = sample_draw(survey=ddci_survey, frame=make_frame(12), strata=[], size=4, by=None)
    assert sample.seed is not None and sample.size == 4 and sample.strata_fields == []


def test_sizes_set_per_stratum_and_a_size_larger_than_its_stratum_is_refused(ddci_survey, make_frame):
    frame = make_frame(40)
    sizes = parse_sizes("C · nhỏ = 10\nG · siêu nhỏ ; 2\n")
    sample = sample_draw(survey=ddci_survey, frame=frame, strata=["sector", "size"], sizes=sizes, seed=1, by=None)
    assert sample.size == 12 and sample.sizes["C · siêu nhỏ"] == 0 and sample.allocation == "set"
    assert sample.replacements["C · nhỏ"] == 0  # the whole stratum is sampled: nobody is left
    with pytest.raises(ValidationError) as error:
        sample_draw(survey=ddci_survey, frame=frame, strata=["sector", "size"], sizes={"C · nhỏ": 11, "X · huge": 1}, seed=1, by=None)
    text = " ".join(error.value.messages)
    assert "C · nhỏ" in text and "11" in text and "X · huge" in text
    with pytest.raises(ValidationError):
        sample_draw(survey=ddci_survey, frame=frame, strata=["sector"], size=41, seed=1, by=None)
    with pytest.raises(ValidationError):
        parse_sizes("C · nhỏ 10")
    with pytest.raises(ValidationError):
        sample_draw(survey=ddci_survey, frame=frame, strata=["region"], size=4, seed=1, by=None)


def test_a_replacement_takes_the_place_of_a_business_that_declines(ddci_survey, make_frame):
    sample = sample_draw(survey=ddci_survey, frame=make_frame(8), strata=[], size=2, replacement_ratio=0.5, seed=3, by=None)
    member = SampleMember.objects.filter(sample=sample, active=True).first()
    replacement = member_replace(member=member, reason="Từ chối qua điện thoại", by=None)
    member.refresh_from_db()
    assert not member.active and replacement.active and replacement.replaces == member and replacement.position == 1
    assert SampleMember.objects.filter(sample=sample, active=True).count() == 2
    with pytest.raises(ValidationError):
        member_replace(member=member, by=None)  # already replaced
    assert history(ddci_survey).filter(event="sample.replaced", reason="Từ chối qua điện thoại").exists()
    # one replacement only (ceil(0.5 × 2) = 1): the next refusal has none left
    other = SampleMember.objects.filter(sample=sample, active=True, role=SampleMember.Role.PRIMARY).first()
    with pytest.raises(ValidationError):
        member_replace(member=other, by=None)


def test_a_sample_with_invitations_cannot_be_drawn_again(ddci_survey, make_frame):
    frame = make_frame(8)
    sample = sample_draw(survey=ddci_survey, frame=frame, strata=[], size=2, seed=3, by=None)
    sample_draw(survey=ddci_survey, frame=frame, strata=[], size=3, seed=4, by=None)  # nothing sent yet: allowed
    sample = ddci_survey.sample
    member = sample.members.filter(active=True).first()
    member.invitation = Invitation.objects.create(survey=ddci_survey, token_hash="x" * 64)
    member.save()
    with pytest.raises(ValidationError):
        sample_draw(survey=ddci_survey, frame=frame, strata=[], size=2, seed=5, by=None)
    assert ddci_survey.sample.size == 3
