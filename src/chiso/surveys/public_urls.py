"""The respondent's short URLs under /s/. Only `/s/<token>/` carries a token (see collection/draft_cookies.py)."""

from django.urls import path, re_path

from chiso.surveys.collection import respondent_views as views
from chiso.surveys.fieldwork.views import opt_out

app_name = "surveys_public"
urlpatterns = [
    path("", views.enter_code, name="code"),
    path("done/", views.done, name="done"),
    path("open/<str:key>/", views.open_link, name="open"),
    path("r/<str:ref>/", views.resume, name="resume"),
    path("r/<str:ref>/p/<str:key>/", views.page_view, name="page"),
    path("r/<str:ref>/p/<str:key>/refresh/", views.page_refresh, name="refresh"),
    path("r/<str:ref>/review/", views.review, name="review"),
    path("r/<str:ref>/submit/", views.submit, name="submit"),
    re_path(r"^(?P<token>[A-Za-z0-9_\-]{16,})/$", views.token_landing, name="token"),
    re_path(r"^(?P<token>[A-Za-z0-9_\-]{16,})/optout/$", opt_out, name="optout"),
]
