from django.urls import path

from chiso.surveys.collection import enumerator_views as enumerator
from chiso.surveys.fieldwork import views as ops
from chiso.surveys import views

app_name = "surveys"
urlpatterns = [
    path("", views.survey_list, name="list"),
    path("new/", views.survey_new, name="new"),
    path("frames/", ops.frame_list, name="frames"),
    path("frames/upload/", ops.frame_upload, name="frame_upload"),
    path("questionnaires/upload/", views.questionnaire_upload, name="questionnaire_upload"),
    path("questionnaires/<int:pk>/", views.questionnaire_detail, name="questionnaire"),
    path("questionnaires/<int:pk>/<str:kind>.xlsx", views.questionnaire_download, name="questionnaire_download"),
    path("questionnaires/<int:pk>/try/", views.questionnaire_try, name="questionnaire_try"),
    path("try/<str:trial>/review/", views.try_review, name="try_review"),
    path("try/<str:trial>/p/<str:key>/", views.try_page, name="try_page"),
    path("try/<str:trial>/p/<str:key>/refresh/", views.try_refresh, name="try_refresh"),
    # the enumerator app (offline collection): before <code>/, which would take "enumerator" for a survey
    path("enumerator/", enumerator.app_home, name="enumerator"),
    path("enumerator/sw.js", enumerator.service_worker, name="enumerator_sw"),
    path("enumerator/manifest.webmanifest", enumerator.manifest, name="enumerator_manifest"),
    path("enumerator/<slug:code>/", enumerator.app_survey, name="enumerator_survey"),
    path("enumerator/<slug:code>/form.json", enumerator.app_form, name="enumerator_form"),
    path("enumerator/<slug:code>/submit/", enumerator.app_submit, name="enumerator_submit"),
    path("<slug:code>/try/", views.survey_try, name="try"),
    path("<slug:code>/", views.survey_detail, name="detail"),
    path("<slug:code>/action/<str:action>/", views.survey_action, name="action"),
    path("<slug:code>/invitations/", views.invitations_new, name="invitations"),
    path("<slug:code>/paper/", views.paper_entry, name="paper"),
    path("<slug:code>/paper/double-entry/", views.paper_double_entry, name="paper_double_entry"),
    path("<slug:code>/paper/<int:pk>/settle/", views.paper_settle, name="paper_settle"),
    path("<slug:code>/import/", views.responses_import_view, name="import"),
    path("<slug:code>/responses/", views.response_list, name="responses"),
    path("<slug:code>/responses/<uuid:pk>/", views.response_detail, name="response"),
    path("<slug:code>/sample/", ops.sample_view, name="sample"),
    path("<slug:code>/sample/replace/<int:pk>/", ops.member_replace_view, name="member_replace"),
    path("<slug:code>/contact/", ops.contact_view, name="contact"),
    path("<slug:code>/invitations/status/", ops.invitation_list, name="invitation_list"),
    path("<slug:code>/invitations/links.<str:fmt>", views.invitations_download, name="invitations_download"),
    path("<slug:code>/invitations/letters.pdf", ops.invitation_letters, name="invitation_letters"),
    path("<slug:code>/invitations/<int:pk>/<str:action>/", ops.invitation_action, name="invitation_action"),
    path("<slug:code>/contact/send/<str:kind>/", ops.contact_send, name="contact_send"),
    path("<slug:code>/monitor/", ops.monitor_view, name="monitor"),
    path("<slug:code>/analysis/", ops.analysis_view, name="analysis"),
    path("<slug:code>/quality/", ops.quality_view, name="quality"),
    path("<slug:code>/quality/check/", ops.quality_run, name="quality_check"),
    path("<slug:code>/quality/<uuid:pk>/decide/", ops.quality_decide, name="quality_decide"),
    path("<slug:code>/indicators/", ops.indicators_view, name="indicators"),
    path("<slug:code>/indicators/write/", ops.indicators_write, name="indicators_write"),
    path("<slug:code>/indicators/respondents.csv", ops.indicators_respondents, name="indicators_respondents"),
    path("<slug:code>/export/", ops.export_view, name="export"),
    path("<slug:code>/export/responses.csv", ops.export_csv, name="export_csv"),
    path("<slug:code>/export/media.zip", views.survey_media_zip, name="export_media"),  # issue 20
]
