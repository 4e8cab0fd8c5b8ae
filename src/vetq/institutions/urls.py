from django.urls import path

from . import views

app_name = "institutions"

urlpatterns = [
    path("", views.institution_list, name="list"),
    path("<int:pk>/", views.institution_detail, name="detail"),
    path("export.xlsx", views.institution_export, name="export"),
    path("import/", views.institution_import, name="import"),
    path("import/template.xlsx", views.institution_import_template, name="import_template"),
    path("majors/export.xlsx", views.major_export, name="majors_export"),
    path("majors/import/", views.major_import, name="majors_import"),
    path(
        "majors/import/template.xlsx", views.major_import_template, name="majors_import_template"
    ),
]
