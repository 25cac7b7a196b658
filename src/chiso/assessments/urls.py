from django.urls import path

from . import views

app_name = "assessments"
urlpatterns = [
    path("", views.index, name="index"),
    path("due/", views.due, name="due"),
    path("new/", views.cycle_new, name="cycle_new"),
    path("affiliations/", views.affiliations, name="affiliations"),
    path("cycle/<int:pk>/", views.cycle_detail, name="cycle"),
    path("cycle/<int:pk>/schedule/", views.cycle_schedule, name="cycle_schedule"),
    path("cycle/<int:pk>/survey/", views.cycle_survey, name="cycle_survey"),
    path("cycle/<int:pk>/results/", views.cycle_results, name="cycle_results"),
    path("cycle/<int:pk>/publish/", views.cycle_publish, name="cycle_publish"),
    path("cycle/<int:pk>/reminders/", views.cycle_reminders, name="cycle_reminders"),
    path("cycle/<int:pk>/unit-reports/", views.cycle_unit_reports, name="cycle_unit_reports"),
    path("cycle/<int:pk>/report.<str:fmt>", views.cycle_report, name="cycle_report"),
    path("cycle/<int:pk>/criterion/", views.criterion, name="criterion"),
    path("cycle/<int:pk>/council/", views.council, name="council"),
    path("unit/<str:code>/history/", views.unit_history, name="history"),
    path("<int:pk>/", views.assessment_detail, name="detail"),
    path("<int:pk>/do/<str:action>/", views.assessment_transition, name="transition"),
    path("<int:pk>/reopen/", views.assessment_reopen, name="reopen"),
    path("<int:pk>/bonus/", views.assessment_bonus, name="bonus"),
    path("<int:pk>/report.<str:fmt>", views.assessment_report, name="report"),
    path("<int:pk>/items/<int:item_pk>/", views.item_detail, name="item"),
    path("<int:pk>/items/<int:item_pk>/self/", views.item_self, name="item_self"),
    path("<int:pk>/items/<int:item_pk>/appraise/", views.item_appraise, name="item_appraise"),
    path("<int:pk>/items/<int:item_pk>/explain/", views.item_explain, name="item_explain"),
    path("<int:pk>/items/<int:item_pk>/council/", views.item_council, name="item_council"),
    path("<int:pk>/items/<int:item_pk>/document/", views.item_document, name="item_document"),
    path("<int:pk>/items/<int:item_pk>/upload/", views.item_upload, name="item_upload"),
    path("<int:pk>/evidence/<int:evidence_pk>/", views.evidence_download, name="evidence"),
    path("<int:pk>/evidence/<int:evidence_pk>/remove/", views.evidence_remove, name="evidence_remove"),
]
