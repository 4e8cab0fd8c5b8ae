from . import views, views_acceptance, views_changes, views_checks, views_evaluations, views_reports

app_name = "projects"

urlpatterns = [
    *views.urlpatterns,
    *views_acceptance.urlpatterns,
    *views_reports.urlpatterns,
    *views_checks.urlpatterns,
    *views_changes.urlpatterns, *views_evaluations.urlpatterns,
]
