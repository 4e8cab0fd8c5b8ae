"""A check round's results as documents: the results notice in Word for the bureau (the
mid-term results; at acceptance the ratings, in the acceptance notice's own form) and the
round as Excel.

The Word notice is built as plain data (`acceptance_notice.ResultsContent`) and laid out by
`acceptance_notice.results_docx`; the sheet's headers are Chinese whatever the interface
language, as the bureau's own sheets are.
"""

from datetime import date

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from vetq.core.excel import Column, SheetSpec, workbook_build

from .acceptance import score_text
from .acceptance_notice import ResultsContent, acceptances_rated, results_content
from .models import Acceptance, CheckEntry, CheckKind, CheckResult, CheckRound

RESULT_ORDER = {CheckResult.EXCELLENT: 0, CheckResult.PASS: 1, CheckResult.RECTIFY: 2,
                CheckResult.FAIL: 3, "": 4}


def _program_title(check_round: CheckRound) -> str:
    program = check_round.call_category.call.program
    return f"{program.title}（{program.document}）" if program.document else program.title


def _decided(check_round: CheckRound) -> list[CheckEntry]:
    entries = list(check_round.entries.exclude(result="")
                   .select_related("project__institution", "project__category"))
    return sorted(entries, key=lambda e: (RESULT_ORDER[e.result], -(e.score or 0),
                                          e.project.title))


def _shown_result(entry: CheckEntry) -> str:
    shown = str(entry.get_result_display())
    if entry.result == CheckResult.RECTIFY and entry.recheck_result:
        shown += _("; re-check: %(result)s") % {"result": entry.get_recheck_result_display()}
    elif entry.result == CheckResult.RECTIFY:
        shown += _(" (by %(date)s)") % {"date": f"{entry.rectification_due:%Y-%m-%d}"}
    return shown


def midterm_content(check_round: CheckRound, *, today: date) -> ResultsContent:
    """The mid-term results notice's text in the active language."""
    entries = _decided(check_round)
    counts = {r: sum(1 for e in entries if e.result == r) for r in CheckResult.values}
    summary = _("Under %(program)s, the education bureau carried out %(round)s over %(count)s "
                "project(s): %(pass)s passed, %(rectify)s must rectify and %(fail)s failed. The "
                "results are as follows.") % {
        "program": _program_title(check_round), "round": check_round.name,
        "count": len(entries), "pass": counts[CheckResult.PASS],
        "rectify": counts[CheckResult.RECTIFY], "fail": counts[CheckResult.FAIL]}
    rows = [[str(i), e.project.institution.name, e.project.title,
             score_text(e.score) if e.score is not None else "—", _shown_result(e)]
            for i, e in enumerate(entries, start=1)]
    return ResultsContent(
        title=_("Notice of mid-term check results"),
        paragraphs=[summary],
        table_columns=[_("No."), _("School"), _("Project"), _("Score"),
                       pgettext("check", "Result")],
        table_rows=rows,
        consequences_heading=_("Consequences of the results"),
        consequences=[
            _("1. Projects that passed are paid the tranches conditioned on passing the "
              "mid-term check."),
            _("2. Projects required to rectify file their rectification report by the date "
              "shown; the bureau re-checks them, and a passed re-check counts as a pass."),
            _("3. Projects that failed, or failed their re-check, are not paid the tranches "
              "conditioned on passing the mid-term check."),
        ],
        issuer=_("Wuxi Municipal Education Bureau"),
        issued_on=formats.date_format(today, "DATE_FORMAT"),
    )


def round_notice_content(check_round: CheckRound, *, today: date) -> ResultsContent:
    """The round's results notice: the mid-term results, or the acceptance ratings of the
    round's projects (the acceptance results notice's text)."""
    if check_round.kind == CheckKind.MIDTERM:
        return midterm_content(check_round, today=today)
    rated = acceptances_rated(Acceptance.objects.filter(project__checks__round=check_round))
    return results_content(rated, year=None, today=today)


def round_file_name(check_round: CheckRound, extension: str) -> str:
    return f"check-round-{check_round.pk}-{check_round.kind}.{extension}"


ROUND_COLUMNS = (
    Column("no", "序号", width=6),
    Column("school", "学校", width=30),
    Column("region", "市（县）区", width=12),
    Column("title", "项目名称", width=40),
    Column("lead", "项目负责人", width=12),
    Column("filed", "自评提交时间", width=18),
    Column("self_score", "自评分", width=8, number_format="0.00"),
    Column("files", "佐证材料（份）", width=10),
    Column("score", "专家评分", width=10, number_format="0.00"),
    Column("result", "结果", width=14),
    Column("decided", "认定日期", width=12),
    Column("rectification_due", "整改期限", width=12),
    Column("rectified", "整改报告提交时间", width=18),
    Column("recheck", "复查结果", width=10),
    Column("comment", "意见", width=40),
)


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def round_export(entries: list[CheckEntry]) -> bytes:
    """One row per entry (already scoped and ordered), as the round page lists them."""
    rows = (
        (
            index, e.project.institution.name, e.project.institution.region.name,
            e.project.title, e.project.lead_name, _local(e.submitted_at), e.self_score,
            len(e.files.all()), e.score, str(e.get_result_display()) if e.result else "",
            timezone.localdate(e.decided_at) if e.decided_at else None, e.rectification_due,
            _local(e.rectified_at),
            str(e.get_recheck_result_display()) if e.recheck_result else "",
            "\n".join(t for t in (e.comment, e.recheck_comment) if t),
        )
        for index, e in enumerate(entries, start=1)
    )
    return workbook_build(SheetSpec("检查结果", ROUND_COLUMNS, rows))
