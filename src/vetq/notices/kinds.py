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
}


def render(kind: str, params: dict) -> str:
    template = KINDS.get(kind)
    if template is None:
        return kind
    try:
        return str(template) % params
    except (KeyError, TypeError, ValueError):
        return str(template)
