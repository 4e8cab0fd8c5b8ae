"""The results of a check round (projects/checks.py): the bureau's result for each project with
its consequences on the money, and for a mid-term rectification (整改) the school's report
and the bureau's re-check.

Mid-term: the result is the one the round's bands give the experts' score. Pass makes the
grant's tranches conditioned on the mid-term check payable; fail withholds them; rectify
sets a deadline for the school's rectification report, after which the bureau re-checks the
project, pass or fail, with the same consequences. Acceptance: the rating is recorded by
`acceptance.acceptance_record`, which applies all its consequences.

Each service checks who acts, locks its rows, writes a ProjectEvent (the acceptance's own
at acceptance) and an audit entry and tells the school or the bureau, in one transaction; a
refusal (ProjectRefused) changes nothing.
"""

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vetq.audit.services import audit_log
from vetq.funding.ledger import tranche_conditions_met, tranches_withhold
from vetq.funding.models import Grant, TrancheCondition
from vetq.notices.services import notice_send

from .acceptance import AcceptanceRefused, acceptance_record, score_text
from .checks import (
    ACCEPTANCE_RESULTS,
    MIDTERM_RESULTS,
    bureau_users,
    clean_text,
    day_text,
    entry_locked,
    entry_url,
    event_write,
    files_store,
    require_active,
    require_bureau,
    require_school,
    result_for_score,
    school_users,
)
from .models import CheckEntry, CheckKind, CheckResult, CheckRoundState, Project
from .services import ProjectRefused


def _midterm_money(project: Project, result: str, by) -> dict:
    """A mid-term result's (or re-check's) consequence on the grant: pass makes its mid-term
    tranches payable, fail withholds them; what the history records of it."""
    grant = Grant.objects.select_for_update().get(pk=project.grant_id)
    if result == CheckResult.PASS:
        return {"released": tranche_conditions_met(
            grant=grant, condition=TrancheCondition.MIDTERM_PASSED, by=by)}
    if result == CheckResult.FAIL:
        return {"withheld": tranches_withhold(
            grant=grant, by=by, conditions=[TrancheCondition.MIDTERM_PASSED],
            reason=_("Mid-term check failed: %(title)s") % {"title": project.title})}
    return {}


def check_result_record(*, entry: CheckEntry, result: str, by, comment: str = "",
                        today: date | None = None) -> CheckEntry:
    """Record a project's result in its round, with its consequences, and tell the school.

    Mid-term: the result must be the one the round's bands give the score; pass makes the
    grant's mid-term tranches payable, fail withholds them, rectify sets the rectification
    deadline (`rectification_days` from today). Acceptance: the rating is recorded by
    `acceptance.acceptance_record` with the school's summary and self-assessment, which
    applies its consequences (the studio bonus, the project closed, tranches withheld and a
    recovery opened) and sends its notices.

    Refuses anyone but the bureau, a round not in expert scoring, a project without a score
    or already decided, a result the bands do not give (saying which they give) and a
    project no longer under construction.
    """
    today = today or timezone.localdate()
    require_bureau(by)
    comment = clean_text(comment, "", required=False)
    with transaction.atomic():
        locked = entry_locked(entry)
        check_round = locked.round
        if check_round.state != CheckRoundState.REVIEWING:
            raise ProjectRefused(_("Results are recorded once the experts have scored, while "
                                   "the round is in expert scoring (it is %(state)s).")
                                 % {"state": check_round.get_state_display()})
        if locked.result:
            raise ProjectRefused(_("This project's result is already recorded: %(result)s.")
                                 % {"result": locked.get_result_display()})
        if locked.score is None:
            raise ProjectRefused(_("This project has no expert score yet: close the panel and "
                                   "collect its scores first."))
        allowed = MIDTERM_RESULTS if check_round.kind == CheckKind.MIDTERM else ACCEPTANCE_RESULTS
        if result not in allowed:
            raise ProjectRefused(_("Choose one of: %(results)s.")
                                 % {"results": "、".join(str(r.label) for r in allowed)})
        expected = result_for_score(check_round.kind, locked.score, check_round.rules)
        if result != expected:
            raise ProjectRefused(
                _("A score of %(score)s gives “%(expected)s” under the policy's score bands, not "
                  "“%(result)s”.") % {"score": score_text(locked.score),
                                      "expected": CheckResult(expected).label,
                                      "result": CheckResult(result).label})
        project = Project.objects.select_for_update().get(pk=locked.project_id)
        require_active(project)
        after = {"result": result, "score": str(locked.score)}
        if check_round.kind == CheckKind.ACCEPTANCE:
            try:
                acceptance_record(project=project, score=locked.score, rating=result,
                                  summary=locked.summary, self_assessment=locked.self_assessment,
                                  comment=comment, by=by, today=today)
            except AcceptanceRefused as refusal:
                raise ProjectRefused(str(refusal)) from refusal
        else:
            after.update(_midterm_money(project, result, by))
            if result == CheckResult.RECTIFY:
                locked.rectification_due = today + timedelta(
                    days=int(check_round.rules["rectification_days"]))
                after["rectification_due"] = locked.rectification_due.isoformat()
            event_write(project, "check_result", by, check_round=check_round,
                   before={"result": ""}, after=after, reason=comment)
            notice_send(users=school_users(project), kind=f"project.midterm_{result}",
                        params={"title": project.title, "score": score_text(locked.score),
                                "due": day_text(locked.rectification_due)
                                if locked.rectification_due else ""},
                        url=entry_url(locked))
        locked.result, locked.comment = result, comment
        locked.decided_by, locked.decided_at = by, timezone.now()
        locked.save(update_fields=["result", "comment", "decided_by", "decided_at",
                                   "rectification_due"])
        audit_log(action="check_entry.result", actor=by, obj=locked,
                  before={"result": ""}, after={**after, "comment": comment})
    return locked


def rectification_submit(*, entry: CheckEntry, report: str, by, files=(),
                         today: date | None = None) -> CheckEntry:
    """File (or file again, replacing the text) the school's rectification report (整改报告)
    of a project required to rectify, with evidence files. Tells the bureau.

    Refuses anyone but the project's school, a project not required to rectify or already
    re-checked, a filing after the rectification deadline (naming it), no report, a project
    no longer under construction, and an upload the checks refuse.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        locked = entry_locked(entry)
        project = locked.project
        require_school(by, project)
        if locked.result != CheckResult.RECTIFY:
            raise ProjectRefused(_("Only a project required to rectify files a rectification "
                                   "report."))
        if locked.recheck_result:
            raise ProjectRefused(_("The re-check is recorded; the rectification report can no "
                                   "longer change."))
        if today > locked.rectification_due:
            raise ProjectRefused(_("The rectification report was due on %(date)s; it can no "
                                   "longer be filed.") % {"date": day_text(locked.rectification_due)})
        require_active(project)
        report = clean_text(report, _("Please write the rectification report."))
        names = files_store(locked, files, by, "rectification")
        again = locked.rectified_at is not None
        locked.rectification_report, locked.rectified_at = report, timezone.now()
        locked.save(update_fields=["rectification_report", "rectified_at"])
        event_write(project, "rectification_filed", by, check_round=locked.round,
               after={"files": names, "again": again})
        audit_log(action="check_entry.rectification", actor=by, obj=locked,
                  after={"files": names, "again": again})
        notice_send(users=bureau_users(), kind="project.rectification_filed",
                    params={"title": project.title, "round": locked.round.name},
                    url=entry_url(locked))
    return locked


def recheck_record(*, entry: CheckEntry, result: str, by, comment: str = "",
                   today: date | None = None) -> CheckEntry:
    """Record the re-check (复查) of a rectification: pass makes the grant's mid-term tranches
    payable, fail withholds them, as a mid-term result does. Tells the school.

    Refuses anyone but the bureau, a result other than pass or fail, a project not required
    to rectify or already re-checked, a pass without the school's rectification report, a
    fail without a reason or before the deadline while no report is filed, and a project no
    longer under construction.
    """
    today = today or timezone.localdate()
    require_bureau(by)
    comment = clean_text(comment, "", required=False)
    if result not in (CheckResult.PASS, CheckResult.FAIL):
        raise ProjectRefused(_("Choose the re-check's result: pass or fail."))
    with transaction.atomic():
        locked = entry_locked(entry)
        if locked.result != CheckResult.RECTIFY:
            raise ProjectRefused(_("Only a project required to rectify is re-checked."))
        if locked.recheck_result:
            raise ProjectRefused(_("The re-check is already recorded: %(result)s.")
                                 % {"result": locked.get_recheck_result_display()})
        filed = locked.rectified_at is not None
        if result == CheckResult.PASS and not filed:
            raise ProjectRefused(_("The school has not filed its rectification report; a "
                                   "re-check passes only on one."))
        if result == CheckResult.FAIL and not filed and today <= locked.rectification_due:
            raise ProjectRefused(_("The school may file its rectification report until %(date)s.")
                                 % {"date": day_text(locked.rectification_due)})
        if result == CheckResult.FAIL and not comment:
            raise ProjectRefused(_("Please give the reason the re-check fails."))
        project = Project.objects.select_for_update().get(pk=locked.project_id)
        require_active(project)
        after = {"recheck_result": result, **_midterm_money(project, result, by)}
        locked.recheck_result, locked.recheck_comment = result, comment
        locked.rechecked_by, locked.rechecked_at = by, timezone.now()
        locked.save(update_fields=["recheck_result", "recheck_comment", "rechecked_by",
                                   "rechecked_at"])
        event_write(project, "recheck", by, check_round=locked.round,
               before={"recheck_result": ""}, after=after, reason=comment)
        audit_log(action="check_entry.recheck", actor=by, obj=locked,
                  before={"recheck_result": ""}, after={**after, "comment": comment})
        notice_send(users=school_users(project), kind=f"project.recheck_{result}",
                    params={"title": project.title, "reason": comment}, url=entry_url(locked))
    return locked
