from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "vetq.surveys"
    verbose_name = _("Yearly data and surveys")
