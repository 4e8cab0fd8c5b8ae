from . import views, views_acceptance

app_name = "projects"

urlpatterns = [
    *views.urlpatterns,
    *views_acceptance.urlpatterns,
]
