from .views import dashboards, expenditure, exports, grants, payments

app_name = "funding"

urlpatterns = [
    *dashboards.urlpatterns,
    *grants.urlpatterns,
    *payments.urlpatterns,
    *expenditure.urlpatterns,
    *exports.urlpatterns,
]
