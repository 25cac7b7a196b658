"""Stratified random samples of a frame, with the seed recorded and ranked replacement lists.

The draw is reproducible: the same frame, strata, sizes and seed give the same members on any
machine (NumPy's PCG64 permutes each stratum's entries, taken in file order, strata in name order).
"""

from __future__ import annotations

import math
import secrets
from collections import defaultdict

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from chiso.accounts.permissions import surveys_check
from chiso.audit.services import audit_record

from chiso.surveys.models import FrameEntry, Sample, SampleFrame, SampleMember, Survey
from chiso.surveys.services import invitation_spent

# What a stratum can be made of, and the frame column holding it.
STRATA_FIELDS = {"sector": "sector_section", "size": "size", "commune": "commune"}
EMPTY = "—"
# Stratum names are data shown to a Vietnamese secretariat: sizes in Vietnamese (Decree 80/2021's words).
SIZE_NAMES = {"micro": "siêu nhỏ", "small": "nhỏ", "medium": "vừa", "large": "lớn"}


class SampleEventCode:
    DRAWN = "sample.drawn"
    REPLACED = "sample.replaced"


def stratum_key(values) -> str:
    return " · ".join(str(v) or EMPTY for v in values) or _("all")


def frame_strata(frame: SampleFrame, fields: list[str]) -> dict[str, list[int]]:
    """Entry ids by stratum, each list in file order."""
    unknown = [f for f in fields if f not in STRATA_FIELDS]
    if unknown:
        raise ValidationError(_("Unknown stratum field: %(fields)s (use sector, size, commune).") % {"fields": ", ".join(unknown)})
    columns = [STRATA_FIELDS[f] for f in fields]
    strata: dict[str, list[int]] = defaultdict(list)
    for pk, *values in FrameEntry.objects.filter(frame=frame).order_by("row", "pk").values_list("pk", *columns):
        values = [SIZE_NAMES.get(v, v) if f == "size" else v for f, v in zip(fields, values)]
        strata[stratum_key(values)].append(pk)
    return dict(sorted(strata.items()))


def sample_strata(sample) -> list[dict]:
    """Per stratum: the frame's entries, the sample size asked, members to contact, replacements left."""
    population = {k: len(v) for k, v in frame_strata(sample.frame, sample.strata_fields).items()}
    by_stratum: dict = {}
    for stratum, active, role, replaces in SampleMember.objects.filter(sample=sample).values_list("stratum", "active", "role", "replaces_id"):
        row = by_stratum.setdefault(stratum, {"active": 0, "reserve": 0, "replaced": 0})
        if active:
            row["active"] += 1
        elif role == SampleMember.Role.REPLACEMENT and replaces is None:
            row["reserve"] += 1
        else:
            row["replaced"] += 1
    return [
        {"stratum": key, "population": n, "size": sample.sizes.get(key, 0), "active": by_stratum.get(key, {}).get("active", 0),
         "reserve": by_stratum.get(key, {}).get("reserve", 0), "replaced": by_stratum.get(key, {}).get("replaced", 0)}
        for key, n in population.items()
    ]


def proportional_sizes(populations: dict[str, int], size: int) -> dict[str, int]:
    """Largest-remainder allocation of `size` in proportion to the strata populations."""
    total = sum(populations.values())
    exact = {k: size * n / total for k, n in populations.items()}
    sizes = {k: math.floor(v) for k, v in exact.items()}
    left = size - sum(sizes.values())
    for key in sorted(exact, key=lambda k: (-(exact[k] - sizes[k]), k))[:left]:
        sizes[key] += 1
    return sizes


def parse_sizes(text: str) -> dict[str, int]:
    """Sizes typed one stratum a line: `C · nhỏ = 12` (or `;` or a tab before the number)."""
    sizes = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        for separator in ("=", ";", "\t"):
            if separator in line:
                key, _sep, value = line.rpartition(separator)
                break
        else:
            raise ValidationError(_("Line %(line)s: write the stratum, then = and the number.") % {"line": number})
        try:
            sizes[key.strip()] = int(value.strip())
        except ValueError:
            raise ValidationError(_("Line %(line)s: %(value)s is not a whole number.") % {"line": number, "value": value.strip()}) from None
    return sizes


@transaction.atomic
def sample_draw(
    *, survey: Survey, frame: SampleFrame, strata: list[str], size: int | None = None, sizes: dict[str, int] | None = None,
    replacement_ratio: float = 0.5, seed: int | None = None, by,
) -> Sample:
    """Draw the survey's sample. Proportional when `size` is given, else the `sizes` per stratum.

    Each stratum gets ceil(ratio × n) ranked replacements from the entries not drawn. A sample
    can be drawn again only until its first invitation exists.
    """
    surveys_check(by)
    existing = Sample.objects.filter(survey=survey).first()
    if existing is not None:
        if existing.members.filter(invitation__isnull=False).exists():
            raise ValidationError(_("Invitations have gone out to this sample; it can no longer be drawn again."))
        existing.delete()
    population = frame_strata(frame, strata)
    counts = {k: len(v) for k, v in population.items()}
    errors = []
    if sizes is None:
        if size is None or size <= 0:
            raise ValidationError(_("Give the sample size."))
        if size > sum(counts.values()):
            raise ValidationError(_("The sample size %(size)s is larger than the frame (%(total)s entries).") % {"size": size, "total": sum(counts.values())})
        allocation = Sample.Allocation.PROPORTIONAL
        sizes = proportional_sizes(counts, size)
    else:
        allocation = Sample.Allocation.SET
        for key, n in sizes.items():
            if key not in counts:
                errors.append(_("Stratum %(stratum)s is not in the frame.") % {"stratum": key})
            elif n < 0:
                errors.append(_("Stratum %(stratum)s: the size cannot be negative.") % {"stratum": key})
            elif n > counts[key]:
                errors.append(_("Stratum %(stratum)s has %(population)s entries; a sample of %(size)s is larger than the stratum.") % {"stratum": key, "population": counts[key], "size": n})
        if errors:
            raise ValidationError(errors)
        sizes = {k: sizes.get(k, 0) for k in counts}
    if not 0 <= replacement_ratio <= 10:
        raise ValidationError(_("The share of replacements must be between 0 and 10."))
    seed = int(seed) if seed is not None else secrets.randbits(32)
    rng = np.random.Generator(np.random.PCG64(seed))
    replacements, members = {}, []
    for key, ids in population.items():
        order = rng.permutation(len(ids))
        n = sizes[key]
        r = min(math.ceil(replacement_ratio * n), len(ids) - n)
        replacements[key] = r
        for position, index in enumerate(order[: n + r]):
            primary = position < n
            members.append(SampleMember(
                entry_id=ids[index], stratum=key, role=SampleMember.Role.PRIMARY if primary else SampleMember.Role.REPLACEMENT,
                position=0 if primary else position - n + 1, active=primary,
            ))
    sample = Sample.objects.create(
        survey=survey, frame=frame, strata_fields=list(strata), allocation=allocation, size=sum(sizes.values()), sizes=sizes,
        replacements=replacements, seed=seed, created_by=by if getattr(by, "pk", None) else None,
    )
    for member in members:
        member.sample = sample
    SampleMember.objects.bulk_create(members, batch_size=2000)
    audit_record(event=SampleEventCode.DRAWN, obj=sample, parents=(survey,), by=by, new=f"n={sample.size} seed={seed}")
    return sample


@transaction.atomic
def member_replace(*, member: SampleMember, by, reason: str = "") -> SampleMember:
    """Put the next replacement of the stratum in the place of a member who cannot answer
    (refused, opted out, closed down, unreachable). The member is no longer contacted."""
    surveys_check(by)
    if member.role != SampleMember.Role.PRIMARY and member.replaces_id is None:
        raise ValidationError(_("Only a sampled business can be replaced."))
    if member.invitation_id and invitation_spent(member.invitation):
        raise ValidationError(_("This business has answered; it is not replaced."))
    if not member.active:
        raise ValidationError(_("This business has already been replaced."))
    nxt = (
        SampleMember.objects.select_for_update()
        .filter(sample=member.sample, stratum=member.stratum, role=SampleMember.Role.REPLACEMENT, active=False, replaces__isnull=True)
        .order_by("position")
        .first()
    )
    if nxt is None:
        raise ValidationError(_("Stratum %(stratum)s has no replacement left.") % {"stratum": member.stratum})
    member.active = False
    member.save(update_fields=["active"])
    nxt.active = True
    nxt.replaces = member
    nxt.save(update_fields=["active", "replaces"])
    audit_record(event=SampleEventCode.REPLACED, obj=member.sample, parents=(member.sample.survey,), by=by,
                 old=timezone.localdate(), new=f"{member.stratum} #{nxt.position}", reason=reason)
    return nxt
