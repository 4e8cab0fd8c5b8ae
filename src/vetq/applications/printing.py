"""The content of a printed application (申报书), built once as plain data.

`application_document` turns an application into a cover and seven sections of paragraphs
and tables; the PDF (WeasyPrint) and Word (python-docx) renderings in views/printing.py
only lay that data out, so both always say the same thing. Labels of the category's own
fields come from the application's copy of its form, never from the current policy.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from vetq.core.money import to_yuan

from .forms_spec import choice_label, label
from .models import ApplicationEvent
from .workflow import transition_for

# The history rows that are review opinions: the region's and the bureau's formal check.
OPINION_ACTIONS = ("recommend", "return", "mark_eligible", "mark_ineligible")
BUDGET_PARTS = ("amount", "school", "partner")


@dataclass(frozen=True)
class Paragraph:
    text: str
    label: str = ""
    kind: str = "paragraph"

    @property
    def label_text(self) -> str:
        """The label with its colon, as the language writes it (“Phone:”, “联系电话：”)."""
        return _("%(label)s: ") % {"label": self.label}


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[list[str]]
    footer: list[str] | None = None
    caption: str = ""
    numeric: tuple[int, ...] = ()  # columns of amounts, aligned right
    kind: str = "table"


@dataclass(frozen=True)
class Section:
    heading: str
    blocks: list[Paragraph | Table] = field(default_factory=list)


@dataclass(frozen=True)
class PrintDocument:
    program: str
    call: str
    category: str
    project: str
    title: str  # "Application form" (申报书)
    cover: list[tuple[str, str]]
    sections: list[Section]


def printable(queryset: QuerySet) -> QuerySet:
    """The queryset with everything the document reads, in a fixed number of queries."""
    return queryset.select_related(
        "call_category__call__program", "call_category__category", "institution__region",
    ).prefetch_related(
        "majors", "industries", "enterprises", "attachments__file",
        Prefetch("events", queryset=ApplicationEvent.objects.select_related("by")),
    )


def yuan(value: Decimal) -> str:
    """An amount in yuan with two decimals and thousands separators: 80,000.00."""
    return f"{to_yuan(value):,.2f}"


def _date(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d") if moment else ""


def _person(user) -> str:
    return (getattr(user, "full_name", "") or user.get_username()) if user else ""


def _cover(application) -> list[tuple[str, str]]:
    return [
        (_("Category"), application.category.name),
        (_("Project title"), application.title),
        (_("Applicant institution"), application.institution.name),
        (_("Region"), application.institution.region.name),
        (_("Project lead"), application.lead_name),
        (_("Phone"), application.lead_phone),
        (_("Date of application"), _date(application.submitted_at) or _("not submitted yet")),
    ]


def _team_row(member) -> list[str]:
    if isinstance(member, dict):
        return [str(member.get(key) or "") for key in ("name", "title", "unit", "role")]
    return [str(member), "", "", ""]


def _basic(application) -> Section:
    lead = "，".join(p for p in (application.lead_name, application.lead_title,
                                 application.lead_phone) if p)
    blocks: list[Paragraph | Table] = [Paragraph(lead or "—", label=_("Project lead"))]
    team = [_team_row(m) for m in application.team or []]
    if team:
        headers = [pgettext("person", "Name"), pgettext("job", "Title"), _("Unit"),
                   _("Role in the project")]
        blocks.append(Table(headers, team, caption=_("Team")))
    else:
        blocks.append(Paragraph(_("No team members given."), label=_("Team")))
    return Section(_("1. Basic information"), blocks)


def _goals(application) -> Section:
    lines = [line.strip() for line in application.goals.splitlines() if line.strip()]
    return Section(_("2. Goals"), [Paragraph(line) for line in lines] or [Paragraph("—")])


def _milestones(application) -> Section:
    rows = []
    for step in application.milestones or []:
        if isinstance(step, dict):
            rows.append([str(step.get("year", "")),
                         str(step.get("text") or step.get("tasks") or step.get("goal") or "")])
        else:
            rows.append(["", str(step)])
    if not rows:
        return Section(_("3. Yearly milestones"), [Paragraph("—")])
    return Section(_("3. Yearly milestones"), [Table([_("Year"), _("Tasks")], rows)])


def budget_table(application) -> Table:
    """Budget lines by item, in the order of the form's items, with a totals row (R30)."""
    names = {item["code"]: choice_label(item) for item in application.form.get("budget_items", [])}
    order = list(names)
    lines = sorted(application.budget or [],
                   key=lambda b: order.index(b["item"]) if b.get("item") in order else len(order))
    totals = dict.fromkeys(BUDGET_PARTS, Decimal(0))
    rows = []
    for line in lines:
        parts = [to_yuan(line.get(part) or 0) for part in BUDGET_PARTS]
        for part, value in zip(BUDGET_PARTS, parts, strict=True):
            totals[part] += value
        rows.append([names.get(line.get("item"), str(line.get("item", ""))),
                     *(yuan(v) for v in parts), yuan(sum(parts))])
    footer = [_("Total"), *(yuan(totals[p]) for p in BUDGET_PARTS), yuan(sum(totals.values()))]
    return Table(
        [_("Item"), _("Grant requested (yuan)"), _("School co-funding (yuan)"),
         _("Partner co-funding (yuan)"), _("Subtotal (yuan)")],
        rows, footer=footer, numeric=(1, 2, 3, 4),
    )


def _answer(spec: dict, value) -> Paragraph | Table:
    caption = label(spec)
    kind = spec.get("type")
    if kind == "members":
        levels = {lv["code"]: choice_label(lv) for lv in spec.get("levels", [])}
        rows = [[levels.get(m.get("level"), m.get("level", "")), m.get("name", "")]
                for m in value or []]
        return Table([_("Level"), _("Member institution")], rows, caption=caption)
    choices = {c["code"]: choice_label(c) for c in spec.get("choices", [])}
    if kind == "choice":
        text = choices.get(value, str(value))
    elif kind == "multichoice":
        text = "、".join(choices.get(v, str(v)) for v in value or [])
    else:
        text = "" if value is None else str(value)
    return Paragraph(text or "—", label=caption)


def _specifics(application) -> Section:
    blocks: list[Paragraph | Table] = []
    majors = list(application.majors.all())
    if majors:
        blocks.append(Table([_("Catalogue code"), _("Major")],
                            [[m.catalogue_code, m.name] for m in majors], caption=_("Majors")))
    industries = [i.name for i in application.industries.all()]
    if industries:
        blocks.append(Paragraph("、".join(industries), label=_("Industries served")))
    enterprises = [e.name for e in application.enterprises.all()]
    if enterprises:
        blocks.append(Paragraph("、".join(enterprises), label=_("Partner enterprises")))
    for spec in application.form.get("fields", []):
        blocks.append(_answer(spec, application.answers.get(spec["key"])))
    return Section(_("5. Category specifics"),
                   blocks or [Paragraph(_("This category asks for nothing more."))])


def _attachments(application) -> Section:
    slots = {slot["code"]: slot for slot in application.form.get("attachments", [])}
    files = list(application.attachments.all())
    rows = [
        [str(n), label(slots[a.slot], "name") if a.slot in slots else a.slot,
         a.file.original_name, f"{max(a.file.size // 1024, 1):,} KB"]
        for n, a in enumerate(files, start=1)
    ]
    present = {a.slot for a in files}
    for code, slot in slots.items():
        if slot.get("required") and code not in present:
            rows.append([str(len(rows) + 1), label(slot, "name"), _("not uploaded"), ""])
    if not rows:
        return Section(_("6. Attachments"), [Paragraph(_("No attachments."))])
    return Section(_("6. Attachments"),
                   [Table([_("No."), _("Attachment kind"), _("File name"), _("Size")], rows)])


def _opinions(application) -> Section:
    rows = []
    for event in application.events.all():
        if event.action not in OPINION_ACTIONS:
            continue
        transition = transition_for(event.action)
        rows.append([_date(event.at), str(transition.label) if transition else event.action,
                     _person(event.by), event.comment or "—"])
    if not rows:
        return Section(_("7. Review opinions"),
                       [Paragraph(_("No opinion has been recorded yet."))])
    return Section(_("7. Review opinions"),
                   [Table([_("Date"), _("Step"), _("By"), _("Opinion")], rows)])


def application_document(application) -> PrintDocument:
    """The 申报书 of one application, in the active language. Pass an application read
    through `printable` to keep the number of queries fixed."""
    call = application.call
    return PrintDocument(
        program=call.program.title,
        call=call.title,
        category=application.category.name,
        project=application.title,
        title=_("Application form"),
        cover=_cover(application),
        sections=[
            _basic(application), _goals(application), _milestones(application),
            Section(_("4. Budget"), [budget_table(application)]),
            _specifics(application), _attachments(application), _opinions(application),
        ],
    )


def file_name(application, extension: str) -> str:
    """The download's name, e.g. 申报书-12.pdf; FileResponse encodes it safely."""
    return f"{_('Application form')}-{application.pk}.{extension}"
