from django.contrib import admin
from django.urls import include, path
from django.utils.translation import gettext_lazy as _

from chiso.api.api import api
from chiso.site import views as site_views

handler400 = "chiso.core.views.bad_request"  # 413 for a request too large (issue 19, point 11)
admin.site.site_header = _("chiso administration")
admin.site.site_title = "chiso"

urlpatterns = [
    path("", site_views.home, name="home"),
    path("favicon.ico", site_views.favicon),
    path("period/", site_views.period_switch, name="period_switch"),
    path("accounts/", include("chiso.accounts.urls")),
    path("units/", include("chiso.units.urls")),
    path("jobs/", include("chiso.jobs.urls")),
    path("frameworks/", include("chiso.frameworks.urls")),
    path("runs/", include("chiso.indices.urls")),
    path("surveys/", include("chiso.surveys.urls")),
    path("s/", include("chiso.surveys.public_urls")),
    path("assessments/", include("chiso.assessments.urls")),
    path("results/", include("chiso.results.urls")),
    path("public/", include("chiso.portal.urls")),
    path("api/v1/", api.urls),
    path("api/tokens/", include("chiso.api.urls")),
    path("feedback/", include("chiso.feedback.urls")),
    path("gopy/", include("chiso.feedback.public_urls")),
    path("service-stats/", include("chiso.services_stats.urls")),
    path("followup/", include("chiso.followup.urls")),
    path("notices/", include("chiso.notices.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
