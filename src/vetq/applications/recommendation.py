"""The region's order of its schools' applications (推荐排序). Recommending and returning are
workflow moves and go through `services.application_transition`; this module only orders."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_noop as N_

from vetq.accounts.roles import Role
from vetq.accounts.scoping import memberships
from vetq.audit.services import audit_log
from vetq.institutions.models import Region
from vetq.programs.models import Call, CallCategory, CallState

from .eligibility import Failure
from .models import Application
from .queries import QUEUE_STATES
from .services import Refused


def _refuse(message: str, **params) -> Refused:
    return Refused([Failure("refused", message, params)])


def _officer_of(user, region: Region) -> bool:
    return any(m.role == Role.REGION_OFFICER and m.region_id == region.pk
               for m in memberships(user))


def applications_rank(*, region: Region, call_category: CallCategory, ordered_ids, by) -> list[Application]:
    """Set the region's order (`region_rank` 1..n) of its schools' submitted and recommended
    applications in one call category: `ordered_ids` first, in that order, then any others
    of the group in their current order (one submitted since the page was drawn).

    Refuses a user who is not an officer of the region, a call not open for recommendation
    or past its recommendation deadline, an empty or repeated list, and any id that is not a
    submitted or recommended application of the region's schools in the category. Locks the
    group's rows; audits the ranks before and after. Changes nothing when it refuses.
    """
    if not _officer_of(by, region):
        raise _refuse(N_("Your role does not allow this change."))
    try:
        ids = [int(value) for value in ordered_ids]
    except (TypeError, ValueError) as error:
        raise _refuse(N_("The order could not be read; reload the page and try again.")) from error
    if not ids or len(set(ids)) != len(ids):
        raise _refuse(N_("The order could not be read; reload the page and try again."))
    with transaction.atomic():
        # Read afresh: the caller's copy may predate an extension or an early close.
        call = Call.objects.get(pk=call_category.call_id)
        if call.state not in (CallState.PUBLISHED, CallState.CLOSED):
            raise _refuse(N_("This call is not open for recommendation."))
        if timezone.now() > call.recommendation_deadline:
            raise _refuse(N_("The recommendation deadline (%(deadline)s) has passed."),
                          deadline=timezone.localtime(call.recommendation_deadline)
                          .strftime("%Y-%m-%d %H:%M"))
        group = list(
            Application.objects.select_for_update(of=("self",))
            .filter(call_category=call_category, institution__region=region,
                    state__in=QUEUE_STATES)
            .order_by(F("region_rank").asc(nulls_last=True), "submitted_at", "pk")
            .only("pk", "region_rank")
        )
        by_id = {application.pk: application for application in group}
        if any(pk not in by_id for pk in ids):
            raise _refuse(N_("Only your region's submitted or recommended applications in this "
                             "category can be ordered."))
        chosen = set(ids)
        ordered = [by_id[pk] for pk in ids] + [a for a in group if a.pk not in chosen]
        before = {str(a.pk): a.region_rank for a in group}
        changed = []
        for rank, application in enumerate(ordered, start=1):
            if application.region_rank != rank:
                application.region_rank = rank
                changed.append(application)
        Application.objects.bulk_update(changed, ["region_rank"])
        audit_log(
            action="application.rank", actor=by, obj=call_category,
            before={"region": region.code, "ranks": before},
            after={"region": region.code, "ranks": {str(a.pk): a.region_rank for a in ordered}},
        )
    return ordered
