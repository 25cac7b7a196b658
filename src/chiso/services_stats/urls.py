from django.urls import path

from . import views

app_name = "services_stats"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("import/", views.import_view, name="import"),
    path("import/confirm/", views.import_confirm, name="import_confirm"),
    path("imports/", views.imports, name="imports"),
    path("entry/", views.entry, name="entry"),
    path("formats/", views.formats, name="formats"),
    path("formats/new/", views.format_edit, name="format_new"),
    path("formats/<slug:code>/", views.format_edit, name="format_edit"),
    path("unit/<str:code>/", views.unit_detail, name="unit"),
]
