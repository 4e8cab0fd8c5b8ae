from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FundingConfig(AppConfig):
    name = "vetq.funding"
    verbose_name = _("Funding")

    def ready(self) -> None:
        from vetq.programs import queries

        from .budget import budget_source, grants_by_category

        if budget_source not in queries.BUDGET_SOURCES:
            queries.BUDGET_SOURCES.append(budget_source)
        if grants_by_category not in queries.APPROVED_COUNTERS:
            queries.APPROVED_COUNTERS.append(grants_by_category)
