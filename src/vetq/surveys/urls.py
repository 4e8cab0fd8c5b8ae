"""Pages of the yearly data and surveys; each area adds its own urlpatterns here."""

app_name = "surveys"

urlpatterns: list = []
