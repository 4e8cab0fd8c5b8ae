from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("generate-schools/", views.generate_all, name="generate_all"),
    path("open/<int:year>/<str:code>/", views.open_report, name="open"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/progress/", views.progress, name="progress"),
    path("<int:pk>/generate/", views.generate, name="generate"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/unpublish/", views.unpublish, name="unpublish"),
    path("<int:pk>/web/", views.web, name="web"),
    path("<int:pk>/preview/", views.preview, name="preview"),
    path("<int:pk>/file/<str:kind>/", views.download, name="download"),
    path("<int:pk>/sections/new/", views.narrative_edit, name="narrative_new"),
    path("<int:pk>/sections/<int:nid>/", views.narrative_edit, name="narrative_edit"),
    path("<int:pk>/sections/<int:nid>/delete/", views.narrative_delete, name="narrative_delete"),
]
