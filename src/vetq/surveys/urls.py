"""Pages of the yearly data and surveys; each area adds its own urlpatterns here."""

app_name = "surveys"

urlpatterns: list = []

from . import views_alignment, views_exams  # noqa: E402

urlpatterns += views_alignment.urlpatterns + views_exams.urlpatterns

from . import views_data  # noqa: E402

urlpatterns += views_data.urlpatterns

from . import views_employment  # noqa: E402

urlpatterns += views_employment.urlpatterns
