"""The demo province, loaded app by app in dependency order; each later issue adds its app here."""

from django.db import transaction

from chiso.accounts import demo as accounts_demo
from chiso.assessments import demo as assessments_demo
from chiso.feedback import demo as feedback_demo
from chiso.followup import demo as followup_demo
from chiso.frameworks import demo as frameworks_demo
from chiso.indices import demo as indices_demo
from chiso.results import demo as results_demo
from chiso.services_stats import demo as services_stats_demo
from chiso.surveys import demo as surveys_demo
from chiso.surveys import demo_operation as surveys_operation_demo
from chiso.units import demo as units_demo

LOADERS = [units_demo.load, accounts_demo.load, frameworks_demo.load, indices_demo.load, surveys_demo.load,
           assessments_demo.load, results_demo.load,
           feedback_demo.load, services_stats_demo.load, followup_demo.load,
           surveys_operation_demo.load]


@transaction.atomic
def demo_load() -> None:
    for load in LOADERS:
        load()
