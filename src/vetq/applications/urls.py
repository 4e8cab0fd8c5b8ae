from .views import editing, lists, printing

app_name = "applications"

urlpatterns = [*lists.urlpatterns, *editing.urlpatterns, *printing.urlpatterns]
