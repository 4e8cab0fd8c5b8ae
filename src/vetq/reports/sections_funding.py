"""Built-in section: the program's money to the end of the report's year (R27–R30).

Definitions (those of funding/budget.py, bounded by the year): the grants approved up to the
year; promised = their live tranches (as they stand when the report is generated); paid =
payments less reversals dated up to 31 December of the year; recovered = recoveries dated up
to then; committed = promised less recovered. The city's budget counts only the grants the
city pays; county-level cities pay their own schools' (R28)."""

from datetime import date
from decimal import Decimal

from django.db.models import Count, F, Q, Sum
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from vetq.core.money import format_money, to_yuan
from vetq.funding.models import EntryKind, Expenditure, Grant, LedgerEntry, Tranche

from .blocks import Chart, Column, Paragraph, Series, Table
from .sections import CITY, ReportContext, register

ZERO = Decimal("0.00")
MOVEMENTS = (EntryKind.PAYMENT, EntryKind.REVERSAL)


def _yuan(value) -> Decimal:
    return ZERO if value is None else to_yuan(value)


def money_by(ctx: ReportContext, grants, key: str, *labels: str) -> dict:
    """Grants, promised, paid in the year, paid and recovered to its end, per value of `key`
    (a Grant field path), in three queries."""
    end = date(ctx.year, 12, 31)
    result: dict = {}
    for row in grants.order_by().values(key, *labels).annotate(n=Count("id")):
        result[row[key]] = {"grants": row["n"], "promised": ZERO, "paid_year": ZERO,
                            "paid": ZERO, "recovered": ZERO,
                            **{name: row[name] for name in labels}}
    promised = (Tranche.objects.filter(grant__in=grants, withheld_at__isnull=True).order_by()
                .values(k=F(f"grant__{key}")).annotate(total=Sum("amount")))
    for row in promised:
        result[row["k"]]["promised"] = _yuan(row["total"])
    entries = (LedgerEntry.objects.filter(grant__in=grants, paid_on__lte=end).order_by()
               .values(k=F(f"grant__{key}"))
               .annotate(paid=Sum("amount", filter=Q(kind__in=MOVEMENTS)),
                         paid_year=Sum("amount", filter=Q(kind__in=MOVEMENTS,
                                                          paid_on__year=ctx.year)),
                         recovered=Sum("amount", filter=Q(kind=EntryKind.RECOVERY))))
    for row in entries:
        for name in ("paid", "paid_year", "recovered"):
            result[row["k"]][name] = _yuan(row[name])
    return result


def _grants(ctx: ReportContext):
    grants = Grant.objects.filter(program=ctx.program, year__lte=ctx.year)
    return grants if ctx.institution is None else grants.filter(institution=ctx.institution)


def _total(rows: dict, name: str) -> Decimal:
    return sum((row[name] for row in rows.values()), ZERO)


def _money(value) -> str:
    return format_money(value, get_language() or "zh-hans")


def _money_columns(ctx: ReportContext) -> list[Column]:
    return [Column(_("Committed (10,000 yuan)"), "wanyuan"),
            Column(_("Paid in %(year)s (10,000 yuan)") % {"year": ctx.year}, "wanyuan"),
            Column(_("Paid to date (10,000 yuan)"), "wanyuan")]


def _money_cells(row: dict) -> tuple:
    return (row["promised"] - row["recovered"], row["paid_year"], row["paid"])


def _money_total(rows: dict) -> tuple:
    return (_total(rows, "promised") - _total(rows, "recovered"), _total(rows, "paid_year"),
            _total(rows, "paid"))


@register("funding", gettext_lazy("Funding"), order=30)
def funding(ctx: ReportContext) -> list:
    if ctx.program is None:
        return []
    return _city_funding(ctx) if ctx.scope == CITY else _school_funding(ctx)


def _city_funding(ctx: ReportContext) -> list:
    program = ctx.program
    grants = _grants(ctx)
    by_payer = money_by(ctx, grants, "payer_region_id", "payer_region__name", "payer_region__order")
    city = by_payer.get(None, {"grants": 0, "promised": ZERO, "paid": ZERO, "paid_year": ZERO,
                               "recovered": ZERO})
    counties = {k: v for k, v in by_payer.items() if k is not None}
    blocks = [Paragraph(
        _("The municipal budget of %(program)s is %(budget)s. By the end of %(year)s the city had "
          "committed %(committed)s to %(grants)s projects and paid %(paid)s, %(paid_year)s of it "
          "in %(year)s.")
        % {"program": program.title, "budget": _money(program.budget_yuan), "year": ctx.year,
           "committed": _money(city["promised"] - city["recovered"]), "grants": city["grants"],
           "paid": _money(city["paid"]), "paid_year": _money(city["paid_year"])})]
    if counties:
        blocks.append(Paragraph(
            _("The county-level cities pay their own schools' projects (R28): %(grants)s projects, "
              "%(committed)s committed, %(paid)s paid.")
            % {"grants": sum(v["grants"] for v in counties.values()),
               "committed": _money(_total(counties, "promised") - _total(counties, "recovered")),
               "paid": _money(_total(counties, "paid"))}))
    payer_rows = [(_("the city"), city["grants"], *_money_cells(city))]
    payer_rows += [(row["payer_region__name"], row["grants"], *_money_cells(row))
                   for _key, row in sorted(counties.items(),
                                           key=lambda kv: kv[1]["payer_region__order"])]
    blocks.append(Table(
        columns=(Column(_("Payer")), Column(_("Projects"), "int"), *_money_columns(ctx)),
        rows=tuple(payer_rows), caption=_("Funding by payer, to the end of %(year)s")
        % {"year": ctx.year},
        total=(_("Total"), sum(r[1] for r in payer_rows), *_money_total(by_payer))))

    by_year = money_by(ctx, grants, "year")
    years = sorted(by_year)
    if years:
        blocks.append(Table(
            columns=(Column(_("Year of approval")), Column(_("Projects"), "int"),
                     *_money_columns(ctx)),
            rows=tuple((str(y), by_year[y]["grants"], *_money_cells(by_year[y])) for y in years),
            caption=_("Funding by year of approval, to the end of %(year)s") % {"year": ctx.year},
            total=(_("Total"), sum(v["grants"] for v in by_year.values()),
                   *_money_total(by_year))))
        blocks.append(Chart(
            kind="bar", title=_("Money committed and paid by year of approval"),
            categories=tuple(str(y) for y in years), unit=_("10,000 yuan"),
            series=(Series(_("Committed"), tuple(_wan(_money_cells(by_year[y])[0]) for y in years)),
                    Series(_("Paid to date"), tuple(_wan(by_year[y]["paid"]) for y in years)))))

    by_category = money_by(ctx, grants, "category_id", "category__name", "category__order")
    if by_category:
        ordered = sorted(by_category.values(), key=lambda r: (r["category__order"],
                                                             r["category__name"]))
        blocks.append(Table(
            columns=(Column(_("Category")), Column(_("Projects"), "int"), *_money_columns(ctx)),
            rows=tuple((r["category__name"], r["grants"], *_money_cells(r)) for r in ordered),
            caption=_("Funding by category, to the end of %(year)s") % {"year": ctx.year},
            total=(_("Total"), sum(r["grants"] for r in ordered), *_money_total(by_category))))
    blocks += _cofunding(ctx, Expenditure.objects.filter(grant__in=grants, year=ctx.year),
                         "grant__category__name", _("Category"))
    return blocks


def _wan(value: Decimal) -> Decimal:
    return (value / Decimal(10_000)).quantize(Decimal("0.01"))


def _cofunding(ctx: ReportContext, expenditures, key: str, label: str) -> list:
    """What the schools reported spending from the grants in the year and the co-funding they
    and their partners received (R30)."""
    rows = list(expenditures.order_by().values(key).annotate(
        spent=Sum("spent"), school=Sum("school_cofunding"), partner=Sum("partner_cofunding"))
        .order_by(key))
    if not rows:
        return []
    cells = [(row[key], _yuan(row["spent"]), _yuan(row["school"]), _yuan(row["partner"]))
             for row in rows]
    spent = sum((c[1] for c in cells), ZERO)
    school = sum((c[2] for c in cells), ZERO)
    partner = sum((c[3] for c in cells), ZERO)
    return [
        Paragraph(_("In %(year)s the projects reported spending %(spent)s of their grants, with "
                    "%(school)s of co-funding from the schools and %(partner)s from their "
                    "partners.")
                  % {"year": ctx.year, "spent": _money(spent), "school": _money(school),
                     "partner": _money(partner)}),
        Table(columns=(Column(label), Column(_("Spent from the grants (10,000 yuan)"), "wanyuan"),
                       Column(_("School co-funding (10,000 yuan)"), "wanyuan"),
                       Column(_("Partner co-funding (10,000 yuan)"), "wanyuan")),
              rows=tuple(cells),
              caption=_("Use of funds and co-funding reported for %(year)s") % {"year": ctx.year},
              total=(_("Total"), spent, school, partner)),
    ]


def _school_funding(ctx: ReportContext) -> list:
    grants = _grants(ctx).select_related("application", "category", "payer_region")
    by_grant = money_by(ctx, grants, "id")
    listed = sorted(grants, key=lambda g: (g.year, g.category.order, g.pk))
    if not listed:
        return [Paragraph(_("The school had no grant under %(program)s by the end of %(year)s.")
                          % {"program": ctx.program.title, "year": ctx.year})]
    blocks = [Paragraph(
        _("By the end of %(year)s the school's %(grants)s projects had %(committed)s committed; "
          "%(paid)s had been paid, %(paid_year)s of it in %(year)s.")
        % {"year": ctx.year, "grants": len(listed),
           "committed": _money(_total(by_grant, "promised") - _total(by_grant, "recovered")),
           "paid": _money(_total(by_grant, "paid")),
           "paid_year": _money(_total(by_grant, "paid_year"))}),
        Table(
            columns=(Column(_("Project")), Column(_("Category")), Column(_("Year of approval")),
                     Column(_("Payer")), *_money_columns(ctx)),
            rows=tuple((g.application.title, g.category.name, str(g.year),
                        g.payer_region.name if g.payer_region_id else _("the city"),
                        *_money_cells(by_grant[g.pk])) for g in listed),
            caption=_("The school's grants, to the end of %(year)s") % {"year": ctx.year},
            total=(_("Total"), "", "", "", *_money_total(by_grant))),
    ]
    blocks += _cofunding(ctx, Expenditure.objects.filter(grant__in=grants, year=ctx.year),
                         "grant__application__title", _("Project"))
    return blocks
