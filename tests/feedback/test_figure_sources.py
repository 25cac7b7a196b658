"""The feedback figures go to the criteria the framework version valid for the period names in
its file's `sources: feedback:` section, and to no other."""

import datetime

from chiso.feedback.services import feedback_indicators_publish
from chiso.frameworks.documents import document_to_yaml
from chiso.frameworks.queries import framework_version_for, source_unmapped, version_document
from chiso.frameworks.services import framework_import
from chiso.indices.models import IndicatorValue

AS_OF = datetime.date(2023, 12, 31)


def _766_taking_only_on_time(qd766, applies_from):
    doc = version_document(qd766)
    doc["version"]["applies_from"] = applies_from
    doc["sources"] = {"feedback": {"on_time_rate": "G5.1"}}
    return framework_import(file_name="qd766b.yaml", content=document_to_yaml(doc), by=None).version


def _written_codes(period):
    return set(IndicatorValue.objects.filter(framework__code="QD766", period=period).values_list("code", flat=True))


def test_a_figure_the_version_does_not_map_is_written_for_no_criterion(units, period, qd766):
    narrow = _766_taking_only_on_time(qd766, period.year)
    assert framework_version_for("QD766", period) == narrow
    assert source_unmapped(narrow, "feedback", ["on_time_rate", "qd766_satisfaction_rate"]) == ["qd766_satisfaction_rate"]
    feedback_indicators_publish(period=period, as_of=AS_OF, by=None)
    assert _written_codes(period) == {"G5.1"}


def test_a_newer_version_for_later_years_leaves_the_period_with_its_own(units, period, qd766):
    later = _766_taking_only_on_time(qd766, period.year + 1)
    assert later.number > qd766.number and framework_version_for("QD766", period) == qd766
    feedback_indicators_publish(period=period, as_of=AS_OF, by=None)
    assert _written_codes(period) == {"G5.1", "G5.2"}
