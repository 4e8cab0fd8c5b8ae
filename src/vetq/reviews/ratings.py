"""The bureau's ratings of experts after a review round (issue 5 item 9): who may be rated
for a panel, and recording a rating once. The pool pages show the history."""

import re

from django.db import transaction
from django.utils.translation import gettext as _

from vetq.audit.services import audit_log

from .models import Assignment, Expert, ExpertRating, Panel, PanelState
from .pool import PoolRefused, _require_bureau

RATING_MIN, RATING_MAX = 1, 5


def panel_rated_experts(panel: Panel):
    """The experts the bureau rates for a panel: every one that had an assignment in it."""
    return Expert.objects.filter(
        pk__in=Assignment.objects.filter(panel=panel).values("expert_id")
    ).order_by("code")


@transaction.atomic
def rating_record(*, expert: Expert, panel: Panel, by, score, comment: str = "") -> ExpertRating:
    """Rate an expert's work in a panel from 1 to 5, once, after the panel's review round.

    Refuses anyone but the bureau, a panel whose round is not closed, an expert that had no
    assignment in the panel, a score that is not a whole number from 1 to 5, and a second
    rating of the same expert for the same panel.
    """
    _require_bureau(by)
    panel = Panel.objects.select_for_update().get(pk=panel.pk)
    if panel.state != PanelState.CLOSED:
        raise PoolRefused(_("Experts are rated after the panel's review round is closed."))
    if not Assignment.objects.filter(panel=panel, expert=expert).exists():
        raise PoolRefused(_("%(expert)s did not review in this panel.") % {"expert": expert.name})
    value = _whole_number(score)
    if value is None or not RATING_MIN <= value <= RATING_MAX:
        raise PoolRefused(_("A rating is a whole number from %(low)d to %(high)d.")
                          % {"low": RATING_MIN, "high": RATING_MAX}, "score")
    if ExpertRating.objects.filter(expert=expert, panel=panel).exists():
        raise PoolRefused(_("%(expert)s has already been rated for this panel.")
                          % {"expert": expert.name}, "score")
    rating = ExpertRating.objects.create(expert=expert, panel=panel, score=value,
                                         comment=(comment or "").strip(), by=by)
    audit_log(action="expert.rate", actor=by, obj=expert,
              after={"panel": panel.pk, "score": value, "comment": rating.comment})
    return rating


def _whole_number(value) -> int | None:
    """`value` as an int if it is one written plainly (3 or "3"), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()
    return int(text) if re.fullmatch(r"-?[0-9]{1,6}", text) else None
