from django.urls import path

from . import views

app_name = "surveys"
urlpatterns = [
    path("", views.survey_list, name="list"),
    path("new/", views.survey_new, name="new"),
    path("questionnaires/upload/", views.questionnaire_upload, name="questionnaire_upload"),
    path("questionnaires/<int:pk>/", views.questionnaire_detail, name="questionnaire"),
    path("questionnaires/<int:pk>/<str:kind>.xlsx", views.questionnaire_download, name="questionnaire_download"),
    path("<slug:code>/", views.survey_detail, name="detail"),
    path("<slug:code>/action/<str:action>/", views.survey_action, name="action"),
    path("<slug:code>/invitations/", views.invitations_new, name="invitations"),
    path("<slug:code>/paper/", views.paper_entry, name="paper"),
    path("<slug:code>/import/", views.responses_import_view, name="import"),
    path("<slug:code>/responses/", views.response_list, name="responses"),
    path("<slug:code>/responses/<uuid:pk>/", views.response_detail, name="response"),
]
