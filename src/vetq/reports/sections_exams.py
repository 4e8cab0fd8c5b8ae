"""Optional section: the academic proficiency tests and skill spot tests of the year (R20), the
rates surveys.exam_queries computes: pass rate = passed ÷ candidates, excellent rate =
excellent ÷ candidates; a school's beside the city's."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from vetq.surveys.exam_queries import exam_rates_for

from .blocks import Chart, Column, Paragraph, Series, Table, statistic
from .sections import CITY, ReportContext, register


def _columns(first: str, beside: bool) -> tuple:
    columns = [Column(first), Column(pgettext("exam", "Candidates"), "int"), Column(_("Passed"), "int"),
               Column(_("Pass rate"), "percent"), Column(_("Excellent"), "int"),
               Column(_("Excellent rate"), "percent")]
    if beside:
        columns += [Column(_("City pass rate"), "percent"),
                    Column(_("City excellent rate"), "percent")]
    return tuple(columns)


def _cells(rates, beside: bool) -> tuple:
    cells = (rates.label, rates.candidates, rates.passed, statistic(rates.pass_rate),
             rates.excellent, statistic(rates.excellent_rate))
    if beside:
        cells += (statistic(rates.city_pass_rate), statistic(rates.city_excellent_rate))
    return cells


def _pct(value) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@register("exams", gettext_lazy("Exams and skill tests"), order=90)
def exams(ctx: ReportContext) -> list:
    rates = exam_rates_for(ctx.year, ctx.institution)
    if ctx.scope == CITY:
        if not rates.city.candidates:
            return []
        own, beside = rates.city, False
    else:
        own, beside = rates.institution, True
        if own is None or not own.candidates:
            return []
    blocks = [Paragraph(
        _("In %(year)s, %(candidates)s candidates sat the academic proficiency tests and skill "
          "spot tests: %(pass)s passed and %(excellent)s were rated excellent.")
        % {"year": ctx.year, "candidates": f"{own.candidates:,}", "pass": _pct(own.pass_rate),
           "excellent": _pct(own.excellent_rate)})]
    if beside:
        blocks.append(Paragraph(_("The city's pass rate was %(pass)s, its excellent rate "
                                  "%(excellent)s.")
                                % {"pass": _pct(rates.city.pass_rate),
                                   "excellent": _pct(rates.city.excellent_rate)}))
    blocks.append(Table(columns=_columns(_("Test"), beside),
                        rows=tuple(_cells(r, beside) for r in rates.kinds),
                        caption=_("Results by kind of test, %(year)s") % {"year": ctx.year}))
    if rates.groups:
        blocks.append(Table(columns=_columns(_("Major group"), beside),
                            rows=tuple(_cells(r, beside) for r in rates.groups),
                            caption=_("Results by major group, %(year)s") % {"year": ctx.year}))
    if ctx.scope == CITY and rates.regions:
        blocks.append(Table(columns=_columns(_("Region"), False),
                            rows=tuple(_cells(r, False) for r in rates.regions),
                            caption=_("Results by region, %(year)s") % {"year": ctx.year}))
        blocks.append(Chart(
            kind="bar", title=_("Pass and excellent rates by region"), unit="%",
            categories=tuple(r.label for r in rates.regions),
            series=(Series(_("Pass rate"), tuple(statistic(r.pass_rate * 100 if r.pass_rate
                                                          is not None else None)
                                                 for r in rates.regions)),
                    Series(_("Excellent rate"), tuple(
                        statistic(r.excellent_rate * 100 if r.excellent_rate is not None
                                  else None) for r in rates.regions)))))
    return blocks
