from django.urls import path

from . import views

app_name = "units"
urlpatterns = [
    path("", views.unit_list, name="list"),
    path("import/", views.unit_import, name="import"),
    path("export/", views.unit_export, name="export"),
    path("<str:code>/", views.unit_detail, name="detail"),
]
