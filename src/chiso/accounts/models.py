"""Users and their roles."""

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Role(models.TextChoices):
    SECRETARIAT = "secretariat", _("Secretariat")  # Sở Nội vụ, DDCI organiser
    # the role's short name ("Thẩm định"); the assessments pages' plain "Appraiser" is a person
    APPRAISER = "appraiser", pgettext_lazy("role", "Appraiser")  # Tổ chuyên viên giúp việc, Hội đồng thẩm định
    UNIT_OFFICER = "officer", _("Unit officer")  # cán bộ đầu mối of one unit
    LEADER = "leader", _("Leader")  # Chủ tịch, Phó Chủ tịch UBND tỉnh
    ANALYST = "analyst", _("Analyst")  # institute, VCCI
    ADMINISTRATOR = "admin", _("Administrator")


class AppraisalBody(models.TextChoices):
    EXPERT_TEAM = "expert_team", _("Expert team")  # Tổ chuyên viên giúp việc
    COUNCIL = "council", _("Appraisal council")  # Hội đồng thẩm định


class User(AbstractUser):
    """A person who logs in; a unit officer is bound to exactly one unit."""

    full_name = models.CharField(_("full name"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.UNIT_OFFICER)
    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officers",
        verbose_name=_("unit"),
    )
    appraisal_body = models.CharField(
        _("appraisal body"), max_length=20, choices=AppraisalBody.choices, blank=True
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # An officer without a unit would see nothing or, worse, everything.
            models.CheckConstraint(
                condition=~Q(role="officer") | Q(unit__isnull=False), name="officer_has_unit"
            ),
        ]

    def get_full_name(self) -> str:
        return self.full_name or super().get_full_name() or self.username

    @property
    def is_unit_officer(self) -> bool:
        return self.role == Role.UNIT_OFFICER

    def __str__(self) -> str:
        return self.get_full_name()
