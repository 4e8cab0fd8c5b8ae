"""Public pages of the review (no sign-in): draw notices and results, publicity and
objections."""

from .views import public_draws, public_publicity

app_name = "public"

urlpatterns = [
    *public_draws.urlpatterns,
    *public_publicity.urlpatterns,
]
