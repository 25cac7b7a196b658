"""The public feedback pages (góp ý, phản ánh, kiến nghị): no account needed."""

from django.urls import path

from . import public_views as views

app_name = "feedback_public"
urlpatterns = [
    path("", views.public_home, name="home"),
    path("gui/", views.public_file, name="file"),
    path("da-gui/", views.public_sent, name="sent"),
    path("tra-cuu/", views.public_track, name="track"),
    path("t/<str:ref>/", views.public_tracked, name="tracked"),
    path("t/<str:ref>/danh-gia/", views.public_rate, name="rate"),
    path("cong-khai/", views.public_answers, name="answers"),
    path("cong-khai/<uuid:public_id>/", views.public_answer, name="answer"),
]
