from django.urls import path

from . import views

app_name = "results"
# Scorecards take a run and a unit (`unit_code`): they show published results, which the portal
# shows to everyone, so they are not a unit's internal pages (the officer rule of chiso.accounts);
# drafts and superseded runs follow the run's own visibility.
urlpatterns = [
    path("", views.index, name="index"),
    path("runs/<int:pk>/", views.ranking, name="ranking"),
    path("runs/<int:pk>/results.xlsx", views.run_workbook, name="run_workbook"),
    path("runs/<int:pk>/charts/<str:name>.svg", views.chart, name="chart"),
    path("runs/<int:pk>/scorecards/", views.scorecards_batch, name="scorecards_batch"),
    path("runs/<int:pk>/units/<str:unit_code>/", views.scorecard, name="scorecard"),
    path("runs/<int:pk>/units/<str:unit_code>/scorecard.pdf", views.scorecard_download, name="scorecard_pdf"),
    path("reports/<str:period_code>/<str:family>.pdf", views.report_download, name="report_pdf"),
    path("reports/<str:period_code>/<str:family>.xlsx", views.report_workbook, name="report_xlsx"),
]
