from django.urls import path

from . import views

app_name = "feedback"
urlpatterns = [
    path("", views.feedback_list_view, name="list"),
    path("figures/", views.figures, name="figures"),
    path("figures/indicators/", views.figures_publish, name="figures_publish"),
    path("escalate/", views.escalate, name="escalate"),
    path("attachment/<int:pk>/", views.attachment_download, name="attachment"),
    path("<str:number>/", views.feedback_detail, name="detail"),
    path("<str:number>/answer/", views.feedback_answer_view, name="answer"),
    path("<str:number>/<str:action>/", views.feedback_action, name="action"),
]
