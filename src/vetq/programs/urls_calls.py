from django.urls import path

from . import views_calls as views

app_name = "calls"

urlpatterns = [
    path("", views.call_list, name="list"),
    path("new/", views.call_new, name="create"),
    path("<int:pk>/", views.call_detail, name="detail"),
    path("<int:pk>/publish/", views.call_publish, name="publish"),
    path("<int:pk>/close/", views.call_close, name="close"),
    path("<int:pk>/extend/", views.call_extend, name="extend"),
    path("<int:pk>/quotas/<int:call_category_pk>/", views.call_quota, name="quota"),
    path("<int:pk>/attachments/", views.call_attachment_add, name="attachment_add"),
    path("<int:pk>/attachments/<int:attachment_pk>/", views.call_attachment, name="attachment"),
    path("<int:pk>/attachments/<int:attachment_pk>/remove/", views.call_attachment_remove,
         name="attachment_remove"),
]
