from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from .api import api

admin.site.site_header = "vetq"
admin.site.site_title = "vetq"

urlpatterns = [
    path("", include("vetq.portal.urls")),
    path("accounts/", include("vetq.accounts.urls")),
    path("program/", include("vetq.programs.urls")),
    path("calls/", include("vetq.programs.urls_calls")),
    path("institutions/", include("vetq.institutions.urls")),
    path("applications/", include("vetq.applications.urls")),
    path("notices/", include("vetq.notices.urls")),
    path("funding/", include("vetq.funding.urls")),
    path("reviews/", include("vetq.reviews.urls")),
    path("projects/", include("vetq.projects.urls")),
    path("data/", include("vetq.surveys.urls")),
    path("reports/", include("vetq.reports.urls")),
    path("open/", include("vetq.reviews.urls_public")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
