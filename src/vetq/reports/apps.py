from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "vetq.reports"
    verbose_name = _("Annual quality reports")

    def ready(self) -> None:
        from .sections import discover

        discover()
