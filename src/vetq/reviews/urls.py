from .views import panels, pool, ranking, reviewing, selection

app_name = "reviews"

urlpatterns = [
    *pool.urlpatterns,
    *panels.urlpatterns,
    *reviewing.urlpatterns,
    *ranking.urlpatterns,
    *selection.urlpatterns,
]
