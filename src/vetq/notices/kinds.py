"""What each kind of notice says. Rendered when shown, in the reader's language."""

from django.utils.translation import gettext_lazy as _

KINDS = {
    "application.submit": _("New application to recommend: %(title)s (%(institution)s)"),
    "application.withdraw": _("Application withdrawn: %(title)s (%(institution)s)"),
    "application.return": _("Returned for revision: %(title)s — %(comment)s"),
    "application.recommend": _("Recommended by the region: %(title)s"),
    "application.mark_eligible": _("Passed the formal check: %(title)s"),
    "application.mark_ineligible": _("Failed the formal check: %(title)s — %(comment)s"),
    "application.publish": _("In publicity: %(title)s"),
    "application.reject": _("Not approved: %(title)s — %(comment)s"),
    "application.approve": _("Approved: %(title)s"),
    "reviews.assigned": _("You have %(count)s application(s) to review in %(panel)s, by "
                          "%(deadline)s."),
    "review.reopen": _("A review was reopened for changes: %(title)s — %(reason)s"),
    "objection.lodged": _("Objection lodged in publicity: %(title)s"),
    "project.rated_excellent": _("Acceptance rated excellent (%(score)s points): %(title)s — the "
                                 "tranches reserved for an excellent rating are payable."),
    "project.rated_pass": _("Acceptance rated pass (%(score)s points): %(title)s"),
    "project.rated_fail": _("Acceptance rated fail (%(score)s points): %(title)s — unpaid "
                            "tranches are withheld and a recovery is open."),
    "project.recovery_decided": _("Recovery decided for %(title)s: %(amount)s yuan — %(reason)s"),
    "project.check_opened": _("%(round)s: the self-assessment of %(title)s is due on %(due)s."),
    "project.self_assessment_filed": _("Self-assessment filed in %(round)s: %(title)s"),
    "project.midterm_pass": _("Mid-term check passed (%(score)s points): %(title)s — the tranches "
                              "conditioned on it are payable."),
    "project.midterm_rectify": _("Mid-term check: rectification required (%(score)s points): "
                                 "%(title)s — the rectification report is due on %(due)s."),
    "project.midterm_fail": _("Mid-term check failed (%(score)s points): %(title)s — the tranches "
                              "conditioned on it are withheld."),
    "project.rectification_filed": _("Rectification report filed in %(round)s: %(title)s"),
    "project.recheck_pass": _("Re-check passed: %(title)s — the tranches conditioned on the "
                              "mid-term check are payable."),
    "project.recheck_fail": _("Re-check failed: %(title)s — %(reason)s"),
    "report.submitted": _("Progress report on construction year %(year)s filed: %(title)s "
                          "(%(institution)s)"),
    "report.accepted": _("Progress report on construction year %(year)s accepted: %(title)s"),
    "report.returned": _("Progress report on construction year %(year)s returned for "
                         "revision: %(title)s — %(comment)s"),
    "report.due_soon": _("Progress report on construction year %(year)s is due on %(due)s: "
                         "%(title)s"),
    "report.overdue": _("Progress report on construction year %(year)s is overdue (due on "
                        "%(due)s): %(title)s"),
    "change.requested": _("Change requested for %(title)s — %(reason)s"),
    "change.withdrawn": _("Change request withdrawn for %(title)s"),
    "change.approved": _("Change approved for %(title)s"),
    "change.rejected": _("Change rejected for %(title)s — %(comment)s"),
    "evaluation.submitted_school": _("Self-evaluation submitted by the school (%(year)s): "
                                     "%(subject)s — %(total)s points, %(grade)s"),
    "evaluation.submitted_bureau": _("Performance evaluation by the education bureau "
                                     "(%(year)s): %(subject)s — %(total)s points, %(grade)s"),
    "evaluation.submitted_finance": _("Performance evaluation by the finance bureau (%(year)s): "
                                      "%(subject)s — %(total)s points, %(grade)s"),
    "quality_report.ready": _("Quality report generated: %(title)s"),
    "quality_report.failed": _("Quality report could not be generated: %(title)s — %(error)s"),
    "quality_report.published": _("Quality report published on the portal: %(title)s"),
    "quality_report.unpublished": _("Quality report taken off the portal: %(title)s — "
                                    "%(reason)s"),
    "surveys.data_entered": _("The education bureau entered your school's %(dataset)s for "
                              "%(year)s (%(rows)s rows)."),
    "surveys.year_locked": _("%(dataset)s for %(year)s are locked: the education bureau has "
                             "checked them. Changes now need it to unlock the year."),
    "surveys.year_unlocked": _("%(dataset)s for %(year)s are unlocked for corrections: "
                               "%(reason)s"),
}


def render(kind: str, params: dict) -> str:
    template = KINDS.get(kind)
    if template is None:
        return kind
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)
