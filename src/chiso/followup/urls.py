from django.urls import path

from . import views

app_name = "followup"
urlpatterns = [
    path("", views.task_list, name="tasks"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("notices/", views.notice_list, name="notices"),
    path("digest/", views.digest_now, name="digest"),
    path("directives/", views.directive_list, name="directives"),
    path("directives/new/", views.directive_new, name="directive_new"),
    path("directives/<int:pk>/", views.directive_detail, name="directive"),
    path("directives/<int:pk>/tasks/new/", views.task_new, name="task_new"),
    path("directives/<int:pk>/tasks/import/", views.task_import, name="task_import"),
    path("directives/<int:pk>/report/", views.directive_report_view, name="report"),
    path("directives/<int:pk>/report.<str:fmt>", views.directive_report_view, name="report_file"),
    path("tasks/<int:pk>/", views.task_detail, name="task"),
    path("tasks/<int:pk>/report/", views.task_report, name="task_report"),
    path("tasks/<int:pk>/cancel/", views.task_cancel, name="task_cancel"),
    path("reports/<int:pk>/review/", views.report_review, name="report_review"),
    path("reports/<int:pk>/evidence/", views.report_evidence, name="evidence"),
    path("plans/", views.plan_list, name="plans"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan"),
    path("plans/<int:pk>/submit/", views.plan_submit, name="plan_submit"),
    path("plans/items/<int:pk>/actions/", views.plan_action_add, name="plan_action_add"),
    path("plans/actions/<int:pk>/done/", views.plan_action_done, name="plan_action_done"),
    path("targets/", views.target_list, name="targets"),
    path("statistics/", views.statistic_list, name="statistics"),
]
