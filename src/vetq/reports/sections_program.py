"""Built-in sections: the schools and majors (with enrolment where the yearly data has it), and
the program's progress against its targets (R1–R18)."""

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vetq.funding.models import Grant, GrantState
from vetq.institutions.enums import InstitutionType
from vetq.institutions.models import Institution, Major, Region
from vetq.surveys.models import Enrolment

from .blocks import Chart, Column, Paragraph, Series, Table, ratio
from .sections import CITY, SCHOOL, ReportContext, register

ENROLMENT = ("enrolled", "students", "graduates")


def _enrolment_columns() -> list[Column]:
    return [Column(_("New students"), "int"), Column(_("Students on roll"), "int"),
            Column(_("Graduates"), "int")]


def _share(part, whole):
    value = ratio(part, whole)
    return "—" if value is None else f"{value * 100:.1f}%"


@register("overview", gettext_lazy("Schools and majors"), order=10)
def overview(ctx: ReportContext) -> list:
    return _school_overview(ctx) if ctx.scope == SCHOOL else _city_overview(ctx)


def _city_overview(ctx: ReportContext) -> list:
    schools = Institution.objects.filter(active=True)
    by_region = {row["region_id"]: row for row in schools.order_by().values("region_id").annotate(
        schools=Count("id"),
        **{kind: Count("id", filter=Q(type=kind)) for kind in InstitutionType.values})}
    majors = dict(Major.objects.filter(active=True, institution__in=schools).order_by()
                  .values("institution__region_id").annotate(n=Count("id"))
                  .values_list("institution__region_id", "n"))
    enrolment = {row["institution__region_id"]: row for row in Enrolment.objects.filter(
        year=ctx.year).order_by().values("institution__region_id").annotate(
        **{name: Sum(name) for name in ENROLMENT})}
    regions = [r for r in Region.objects.order_by("order", "code") if r.pk in by_region]
    kinds = InstitutionType.values
    rows = []
    for region in regions:
        counts = by_region[region.pk]
        row = [region.name, *(counts[kind] for kind in kinds), counts["schools"],
               majors.get(region.pk, 0)]
        if enrolment:
            row += [enrolment.get(region.pk, {}).get(name) or 0 for name in ENROLMENT]
        rows.append(tuple(row))
    totals = [sum(row[i] for row in rows) for i in range(1, len(rows[0]))] if rows else []
    columns = [Column(_("Region")), *(Column(str(label), "int") for label in InstitutionType.labels),
               Column(_("Schools"), "int"), Column(_("Majors"), "int")]
    if enrolment:
        columns += _enrolment_columns()
    backbone = Major.objects.filter(active=True, is_backbone=True, institution__in=schools).count()
    total_schools = sum(c["schools"] for c in by_region.values())
    blocks = [Paragraph(
        _("In %(year)s the city had %(schools)s vocational schools in %(regions)s regions: "
          "%(higher)s higher vocational colleges, %(secondary)s secondary vocational schools and "
          "%(technical)s technical schools, teaching %(majors)s majors, %(backbone)s of them "
          "backbone majors.")
        % {"year": ctx.year, "schools": total_schools, "regions": len(regions),
           "higher": sum(c[InstitutionType.HIGHER_VOCATIONAL] for c in by_region.values()),
           "secondary": sum(c[InstitutionType.SECONDARY_VOCATIONAL] for c in by_region.values()),
           "technical": sum(c[InstitutionType.TECHNICAL] for c in by_region.values()),
           "majors": sum(majors.values()), "backbone": backbone})]
    if enrolment:
        students = sum(row.get("students") or 0 for row in enrolment.values())
        enrolled = sum(row.get("enrolled") or 0 for row in enrolment.values())
        graduates = sum(row.get("graduates") or 0 for row in enrolment.values())
        blocks.append(Paragraph(
            _("They had %(students)s students on roll, took in %(enrolled)s new students and saw "
              "%(graduates)s graduate.")
            % {"students": f"{students:,}", "enrolled": f"{enrolled:,}",
               "graduates": f"{graduates:,}"}))
    if rows:
        blocks.append(Table(columns=tuple(columns), rows=tuple(rows),
                            caption=_("Schools, majors and students by region, %(year)s")
                            % {"year": ctx.year},
                            total=(_("Total"), *totals)))
    if enrolment and rows:
        blocks.append(Chart(
            kind="bar", title=_("Students on roll by region, %(year)s") % {"year": ctx.year},
            categories=tuple(r.name for r in regions), unit=_("persons"),
            series=(Series(_("Students on roll"),
                           tuple(enrolment.get(r.pk, {}).get("students") or 0 for r in regions)),
                    Series(_("New students"),
                           tuple(enrolment.get(r.pk, {}).get("enrolled") or 0 for r in regions)))))
    return blocks


def _school_overview(ctx: ReportContext) -> list:
    school = ctx.institution
    majors = list(school.majors.filter(active=True).order_by("catalogue_code"))
    blocks = [Paragraph(
        _("%(name)s is a %(type)s in %(region)s, supervised by %(department)s. In %(year)s it "
          "taught %(majors)s majors, %(backbone)s of them backbone majors.")
        % {"name": school.name, "type": school.get_type_display(), "region": school.region.name,
           "department": school.supervising_department.name, "year": ctx.year,
           "majors": len(majors), "backbone": sum(1 for m in majors if m.is_backbone)})]
    rows = list(Enrolment.objects.filter(institution=school, year=ctx.year)
                .select_related("major").order_by("major__catalogue_code"))
    if rows:
        total = {name: sum(getattr(r, name) for r in rows) for name in ENROLMENT}
        city = Enrolment.objects.filter(year=ctx.year).aggregate(students=Sum("students"))
        blocks.append(Paragraph(
            _("In %(year)s the school took in %(enrolled)s new students, had %(students)s "
              "students on roll (%(share)s of the city's) and %(graduates)s graduates.")
            % {"year": ctx.year, "enrolled": f"{total['enrolled']:,}",
               "students": f"{total['students']:,}", "graduates": f"{total['graduates']:,}",
               "share": _share(total["students"], city["students"])}))
        blocks.append(Table(
            columns=(Column(_("Major")), Column(_("Catalogue code")), *_enrolment_columns()),
            rows=tuple((r.major.name, r.major.catalogue_code, r.enrolled, r.students, r.graduates)
                       for r in rows),
            caption=_("Students by major, %(year)s") % {"year": ctx.year},
            total=(_("Total"), "", *(total[name] for name in ENROLMENT))))
    elif majors:
        blocks.append(Table(
            columns=(Column(_("Major")), Column(_("Catalogue code")), Column(_("Backbone major"))),
            rows=tuple((m.name, m.catalogue_code, _("yes") if m.is_backbone else "")
                       for m in majors),
            caption=_("Majors, %(year)s") % {"year": ctx.year}))
    return blocks


# --- Progress against the targets --------------------------------------------------------------


def approved_counts(ctx: ReportContext) -> dict:
    """Grants not withdrawn of the program approved up to the report's year, per category:
    {category_id: {"to_date", "in_year", "school_to_date", "school_in_year"}}."""

    def compute():
        grants = Grant.objects.filter(program=ctx.program, year__lte=ctx.year).exclude(
            state=GrantState.WITHDRAWN)
        school = Q(institution=ctx.institution) if ctx.institution else Q(pk__in=[])
        return {row["category_id"]: row for row in grants.order_by().values("category_id").annotate(
            to_date=Count("id"), in_year=Count("id", filter=Q(year=ctx.year)),
            school_to_date=Count("id", filter=school),
            school_in_year=Count("id", filter=school & Q(year=ctx.year)))}

    return ctx.remember("approved_counts", compute)


@register("program_progress", gettext_lazy("Progress against the program's targets"), order=20)
def program_progress(ctx: ReportContext) -> list:
    program = ctx.program
    if program is None:
        return []
    counts = approved_counts(ctx)
    categories = [c for c in program.categories.order_by("order", "code")
                  if c.active or c.pk in counts]
    if ctx.scope == CITY:
        return _city_progress(ctx, categories, counts)
    return _school_progress(ctx, categories, counts)


def _count(counts: dict, category, key: str) -> int:
    return counts.get(category.pk, {}).get(key, 0)


def _city_progress(ctx: ReportContext, categories: list, counts: dict) -> list:
    program = ctx.program
    rows = []
    for category in categories:
        done = _count(counts, category, "to_date")
        target = category.target
        rows.append((category.name, target, _count(counts, category, "in_year"), done,
                     ratio(done, target) if target else None,
                     max(target - done, 0) if target else None))
    targeted = [c for c in categories if c.target]
    target_total = sum(c.target for c in targeted)
    done_targeted = sum(_count(counts, c, "to_date") for c in targeted)
    done_total = sum(row[3] for row in rows)
    blocks = [Paragraph(
        _("By the end of %(year)s, %(approved)s projects had been approved under %(program)s "
          "(%(new)s of them in %(year)s). The categories with a target had %(done)s of their "
          "%(target)s projects for %(start)s–%(end)s approved (%(share)s).")
        % {"year": ctx.year, "approved": done_total, "program": program.title,
           "new": sum(row[2] for row in rows), "done": done_targeted, "target": target_total,
           "start": program.period_start, "end": program.period_end,
           "share": _share(done_targeted, target_total)})]
    blocks.append(Table(
        columns=(Column(_("Category")), Column(_("Target"), "int"),
                 Column(_("Approved in %(year)s") % {"year": ctx.year}, "int"),
                 Column(_("Approved to date"), "int"), Column(_("Share of the target"), "percent"),
                 Column(_("Still to approve"), "int")),
        rows=tuple(rows),
        caption=_("Projects approved against the targets, to the end of %(year)s")
        % {"year": ctx.year},
        total=(_("Total"), target_total, sum(row[2] for row in rows), done_total,
               ratio(done_targeted, target_total),
               sum(row[5] or 0 for row in rows)),
        note=_("Share of the target: projects approved to date ÷ the program's target for the "
               "category; the total counts only categories with a target.")))
    if targeted:
        blocks.append(Chart(
            kind="bar", horizontal=True, title=_("Targets and projects approved"),
            categories=tuple(c.name for c in targeted), unit=_("projects"),
            series=(Series(_("Target"), tuple(c.target for c in targeted)),
                    Series(_("Approved to date"),
                           tuple(_count(counts, c, "to_date") for c in targeted)))))
    return blocks


def _school_progress(ctx: ReportContext, categories: list, counts: dict) -> list:
    rows = [(c.name, _count(counts, c, "school_in_year"), _count(counts, c, "school_to_date"),
             _count(counts, c, "to_date")) for c in categories
            if _count(counts, c, "school_to_date")]
    mine = sum(row[2] for row in rows)
    if not rows:
        return [Paragraph(_("No project of the school had been approved under %(program)s by the "
                            "end of %(year)s.") % {"program": ctx.program.title,
                                                   "year": ctx.year})]
    return [
        Paragraph(_("By the end of %(year)s the school had %(count)s projects approved under "
                    "%(program)s, %(new)s of them in %(year)s.")
                  % {"year": ctx.year, "count": mine, "program": ctx.program.title,
                     "new": sum(row[1] for row in rows)}),
        Table(columns=(Column(_("Category")),
                       Column(_("Approved in %(year)s") % {"year": ctx.year}, "int"),
                       Column(_("Approved to date"), "int"),
                       Column(_("All schools to date"), "int")),
              rows=tuple(rows),
              caption=_("The school's approved projects by category, to the end of %(year)s")
              % {"year": ctx.year},
              total=(_("Total"), sum(row[1] for row in rows), mine,
                     sum(row[3] for row in rows))),
    ]
