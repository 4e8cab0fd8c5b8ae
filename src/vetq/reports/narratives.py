"""Narrative sections: the chapters a school writes into its own report, and the bureau into
the city's, before the bureau publishes it. The suggested headings are those of the national
guidance for secondary vocational reports (教职成厅函〔2016〕2号); any other heading may be used.

A narrative's `order` places it among the registered sections: each position is "after
section X" (X's order + 5), the beginning (0) or the end (1000); at the same order a data
section comes first."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vetq.accounts.roles import Role
from vetq.accounts.scoping import has_role, own_institutions
from vetq.audit.services import audit_log

from .errors import ReportRefused
from .models import NarrativeSection, QualityReport, ReportState
from .sections import sections_for

START, END = 0, 1000
AFTER = 5
TITLE_MAX = 120
TEXT_MAX = 20_000


@dataclass(frozen=True)
class Suggestion:
    code: str
    title: str
    after: tuple[str, ...]  # the sections it follows by default, the first registered wins


SUGGESTED = (
    Suggestion("training_outcomes", gettext_lazy("Training outcomes"),
               ("employment", "overview")),
    Suggestion("teaching", gettext_lazy("Teaching and its reform"), ("exams", "projects")),
    Suggestion("moral_education", gettext_lazy("Students' moral education"),
               ("exams", "projects")),
    Suggestion("party_work", gettext_lazy("The school's Party work"), ("exams", "projects")),
    Suggestion("lessons", gettext_lazy("Experience and typical cases"), ()),
    Suggestion("problems", gettext_lazy("Problems and improvements"), ()),
)
SUGGESTED_BY_CODE = {s.code: s for s in SUGGESTED}


def positions(scope: str) -> list[tuple[int, str]]:
    """The places a narrative may take in a report of `scope`, as (order, label)."""
    choices = [(START, _("At the beginning"))]
    choices += [(s.order + AFTER, _("After “%(title)s”") % {"title": s.title})
                for s in sections_for(scope)]
    choices.append((END, _("At the end")))
    return choices


def default_order(code: str, scope: str) -> int:
    suggestion = SUGGESTED_BY_CODE.get(code)
    registered = {s.code: s for s in sections_for(scope)}
    for after in suggestion.after if suggestion else ():
        if after in registered:
            return registered[after].order + AFTER
    return END


def may_write(user, report: QualityReport) -> bool:
    """The bureau writes the city's report; a school only its own."""
    if report.institution_id is None:
        return has_role(user, Role.BUREAU_ADMIN)
    return any(i.pk == report.institution_id for i in own_institutions(user))


def _guard(user, report: QualityReport) -> None:
    if not may_write(user, report):
        raise ReportRefused(_("Only the bureau writes the city's report, and only a school its "
                              "own report."))
    if report.state == ReportState.PUBLISHED:
        raise ReportRefused(_("The report is published: the bureau must unpublish it before its "
                              "sections change."))


def _clean(title: str, text: str, order: int) -> tuple[str, str, int]:
    title, text = (title or "").strip(), (text or "").strip()
    if not title:
        raise ReportRefused(_("Give the section a heading."))
    if len(title) > TITLE_MAX:
        raise ReportRefused(_("The heading is longer than %(max)s characters.") % {"max": TITLE_MAX})
    if not text:
        raise ReportRefused(_("Write the text of the section."))
    if len(text) > TEXT_MAX:
        raise ReportRefused(_("The text is longer than %(max)s characters.") % {"max": TEXT_MAX})
    if not isinstance(order, int) or not START <= order <= END:
        raise ReportRefused(_("Choose where the section goes."))
    return title, text, order


def narrative_save(*, report: QualityReport, by, title: str, text: str, order: int,
                   code: str = "", narrative: NarrativeSection | None = None) -> NarrativeSection:
    """Add a narrative section to the report, or change `narrative`. The report shows it once
    generated again.

    Refuses anyone but the bureau (city report) or the report's school, a published report,
    an empty or too long heading or text, and a position outside the report; changes nothing
    then."""
    title, text, order = _clean(title, text, order)
    code = code if code in SUGGESTED_BY_CODE else ""
    with transaction.atomic():
        locked = QualityReport.objects.select_for_update().get(pk=report.pk)
        _guard(by, locked)
        if narrative is None:
            narrative = NarrativeSection.objects.create(report=locked, code=code, title=title,
                                                        text=text, order=order, author=by)
            before = None
        else:
            narrative = NarrativeSection.objects.select_for_update().get(pk=narrative.pk,
                                                                         report=locked)
            before = {"title": narrative.title, "order": narrative.order,
                      "length": len(narrative.text)}
            narrative.code, narrative.title, narrative.text, narrative.order = \
                code, title, text, order
            narrative.author = by
            narrative.save()
        audit_log(action="report.narrative_save", actor=by, obj=locked, before=before,
                  after={"section": narrative.pk, "title": title, "order": order,
                         "length": len(text)})
    return narrative


def narrative_delete(*, narrative: NarrativeSection, by) -> None:
    """Remove a narrative section; refused as narrative_save refuses."""
    with transaction.atomic():
        locked = QualityReport.objects.select_for_update().get(pk=narrative.report_id)
        _guard(by, locked)
        narrative = NarrativeSection.objects.get(pk=narrative.pk, report=locked)
        audit_log(action="report.narrative_delete", actor=by, obj=locked,
                  before={"section": narrative.pk, "title": narrative.title})
        narrative.delete()
