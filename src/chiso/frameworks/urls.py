from django.urls import path

from . import views

app_name = "frameworks"
urlpatterns = [
    path("", views.framework_list, name="list"),
    path("import/", views.framework_import_view, name="import"),
    path("<str:framework_code>/diff/", views.version_diff, name="diff"),
    path("<str:framework_code>/<int:number>/", views.version_detail, name="detail"),
    path("<str:framework_code>/<int:number>/export.<str:fmt>", views.version_export, name="export"),
]
