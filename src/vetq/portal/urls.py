from django.urls import path

from . import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("call-notices/", views.calls, name="calls"),
    path("call-notices/<int:pk>/", views.call_detail, name="call_detail"),
]
