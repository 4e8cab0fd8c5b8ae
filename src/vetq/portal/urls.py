from django.urls import path

from vetq.reports.portal_views import urlpatterns as report_patterns

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("call-notices/", views.calls, name="calls"),
    path("call-notices/<int:pk>/", views.call_detail, name="call_detail"),
    *report_patterns,
]
