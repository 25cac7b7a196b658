from django.urls import path

from . import views

app_name = "units"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("import/", views.unit_import, name="import"),
    path("export/", views.unit_export, name="export"),
    path("new/", views.unit_new, name="new"),
    path("periods/", views.period_list, name="periods"),
    path("periods/new/", views.period_new, name="period_new"),
    path("periods/<str:code>/", views.period_edit, name="period_edit"),
    path("periods/<str:code>/close/", views.period_close, name="period_close"),
    path("<str:code>/", views.unit_detail, name="detail"),
    path("<str:code>/edit/", views.unit_edit, name="edit"),
    path("<str:code>/end/", views.unit_end, name="end"),
]
