from django.urls import path

from . import analysis_views, views

app_name = "indices"
urlpatterns = [
    path("", views.run_list, name="list"),
    path("new/", views.run_new, name="new"),
    path("national/", views.national_results, name="national"),
    path("national/confirm/", views.national_results_confirm, name="national_confirm"),
    path("values/import/", views.values_import, name="values_import"),
    path("values/import/confirm/", views.values_import_confirm, name="values_import_confirm"),
    path("unit/<str:code>/", views.unit_results, name="unit_results"),
    path("<int:pk>/", views.run_detail, name="detail"),
    path("<int:pk>/publish/", views.run_publish_view, name="publish"),
    path("<int:pk>/uncertainty/", views.run_uncertainty_start, name="uncertainty"),
    path("<int:pk>/sampling/", views.run_sampling_start, name="sampling"),
    path("<int:pk>/audit/", analysis_views.run_audit, name="audit"),
    path("<int:pk>/audit/start/", analysis_views.run_audit_start, name="audit_start"),
    path("<int:pk>/sensitivity/", analysis_views.run_sensitivity_start, name="sensitivity"),
    path("<int:pk>/compare/", analysis_views.run_compare, name="compare"),
]
