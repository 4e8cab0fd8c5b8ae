"""Publicity (公示), objections (异议) and the approval that ends a publicity.

- `publicity_open` publishes a proposed selection with its overrides: each listed application
  is shortlisted and published (the workflow notifies its school); the period is the policy's
  `publicity_days`. Reviewed applications not on the list stay `reviewed` until approval.
- `objection_lodge` takes an objection from anyone on the portal, under a real name with a
  contact, during the period, at most `objections_per_hour` per client (counted in the
  database over a salted digest of the client address; the address itself is never stored).
- `objection_decide`: the bureau upholds or dismisses with a reason. Upheld with effect
  `remove`: the application is not approved (rejected with the decision as the comment).
  Upheld with effect `rerank`: the same, and the selection is run again for the call, so the
  next-ranked reviewed applications that now fit are proposed in a new selection (the places
  of the applications still in publicity stay held); the bureau publishes it as a
  supplementary publicity.
- `publicity_approve`: after the period, with no open objection, every application still in
  publicity is approved through `funding.grants.application_approve`, each in its own
  transaction; refusals (target, budget) are reported and leave that application in publicity
  for the bureau to settle. When none is left in publicity the publicity closes and the call's
  remaining reviewed applications are rejected ("not selected in the call") — unless a newer
  proposed selection of the call is waiting, whose candidates they are.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext
from django.utils.translation import gettext_noop as N_

from vetq.accounts.models import User
from vetq.accounts.roles import Role
from vetq.applications.models import Application
from vetq.applications.services import Refused, _refuse, application_transition
from vetq.applications.states import ApplicationState
from vetq.audit.services import audit_log
from vetq.funding.budget import BudgetExceeded
from vetq.funding.grants import GrantRefused, application_approve
from vetq.funding.models import Grant
from vetq.notices.services import notice_send

from .models import Objection, ObjectionState, Publicity, Selection, SelectionState
from .rubrics import review_rules
from .selecting import (
    APPLICATION_RELATED,
    approval_amount,
    candidate_ids,
    published_ids,
    require_bureau,
    selection_run,
)

GROUNDS_MIN = 20
CLIENT_SALT = "vetq.reviews.objection-client"


def _stored_text(message: str, **params) -> str:
    """A text kept in the database, in the product's default language."""
    with translation.override(settings.LANGUAGE_CODE):
        text = gettext(message)
    return text % params if params else text


def publicity_applications(publicity: Publicity):
    """The applications a publicity lists (whatever became of them since)."""
    return Application.objects.filter(pk__in=published_ids(publicity.selection))


def publicity_open(*, selection: Selection, by, starts_at=None) -> Publicity:
    """Publish a proposed selection with its overrides for the policy's period.

    Shortlists and publishes every listed application (each school is notified), marks the
    selection published and writes the Publicity. Refuses: not the bureau, a selection that
    is not the proposed one, an empty list, and a listed application that is no longer
    reviewed (run the selection again). Changes nothing then.
    """
    require_bureau(by)
    with transaction.atomic():
        locked = Selection.objects.select_for_update().select_related("call__program").get(pk=selection.pk)
        if locked.state != SelectionState.PROPOSED:
            raise _refuse(N_("Only a proposed selection can be published; this one is %(state)s."),
                          state=str(locked.get_state_display()))
        overrides = {o.application_id: o for o in locked.overrides.all()}
        ids = published_ids(locked, list(overrides.values()))
        if not ids:
            raise _refuse(N_("The list is empty: there is nothing to publish."))
        applications = list(Application.objects.filter(pk__in=ids).select_related(*APPLICATION_RELATED)
                            .order_by("pk"))
        for application in applications:
            if application.state != ApplicationState.REVIEWED:
                raise _refuse(N_("%(title)s is %(state)s now, no longer reviewed; run the selection "
                                 "again."), title=application.title,
                              state=str(application.get_state_display()))
        for application in applications:
            override = overrides.get(application.pk)
            comment = override.reason if override else ""
            application_transition(application=application, action="shortlist", by=by, comment=comment)
            application_transition(application=application, action="publish", by=by)
        days = int(review_rules(locked.call.program)["publicity_days"])
        start = starts_at or timezone.now()
        earlier = Publicity.objects.filter(call=locked.call).count()
        title = (_stored_text(N_("Supplementary shortlist %(number)s of %(call)s in publicity"),
                              number=earlier + 1, call=locked.call.title) if earlier
                 else _stored_text(N_("Shortlist of %(call)s in publicity"), call=locked.call.title))
        publicity = Publicity.objects.create(
            call=locked.call, selection=locked, starts_at=start, ends_at=start + timedelta(days=days),
            published_by=by, title=title[:150],
        )
        locked.state = SelectionState.PUBLISHED
        locked.save(update_fields=["state"])
        audit_log(action="publicity.open", actor=by, obj=publicity, after={
            "selection": locked.pk, "applications": ids, "starts_at": start.isoformat(),
            "ends_at": publicity.ends_at.isoformat(),
        })
    return publicity


def client_digest(client_ip: str) -> str:
    """A salted digest of the client's address: enough to count, useless to identify."""
    return salted_hmac(CLIENT_SALT, client_ip or "", algorithm="sha256").hexdigest()


def _plausible_contact(contact: str) -> bool:
    try:
        validate_email(contact)
        return True
    except ValidationError:
        return sum(ch.isdigit() for ch in contact) >= 7


def objection_lodge(*, publicity: Publicity, application: Application, name: str, organisation: str,
                    contact: str, grounds: str, client_ip: str, now=None) -> Objection:
    """Lodge an objection to a listed application (anyone, no sign-in).

    Refuses: no real name or no contact (anonymous), a contact that is neither an e-mail
    address nor a phone number, grounds shorter than GROUNDS_MIN characters, a moment outside
    the period (early or late) or after the publicity closed, an application not on this
    list or no longer in publicity, and a client over the policy's objections per hour.
    """
    now = now or timezone.now()
    name, organisation = (name or "").strip(), (organisation or "").strip()
    contact, grounds = (contact or "").strip(), (grounds or "").strip()
    if not name or not contact:
        raise _refuse(N_("Objections are lodged under a real name with a contact; anonymous "
                         "objections are not accepted."))
    if not _plausible_contact(contact):
        raise _refuse(N_("Give a phone number or an e-mail address we can reach you at."))
    if len(grounds) < GROUNDS_MIN:
        raise _refuse(N_("Please state your grounds in at least %(count)s characters."), count=GROUNDS_MIN)
    digest = client_digest(client_ip)
    with transaction.atomic():
        locked = Publicity.objects.select_for_update().select_related("call__program", "selection") \
            .get(pk=publicity.pk)
        if locked.closed_at is not None or now > locked.ends_at:
            raise _refuse(N_("The publicity period ended on %(end)s; objections are no longer "
                             "accepted."), end=timezone.localtime(locked.ends_at).strftime("%Y-%m-%d %H:%M"))
        if now < locked.starts_at:
            raise _refuse(N_("The publicity period has not started yet."))
        if application.pk not in published_ids(locked.selection):
            raise _refuse(N_("This application is not on this publicity list."))
        if Application.objects.filter(pk=application.pk).values_list("state", flat=True).first() \
                != ApplicationState.IN_PUBLICITY:
            raise _refuse(N_("This application is no longer in publicity."))
        limit = int(review_rules(locked.call.program)["objections_per_hour"])
        recent = Objection.objects.filter(client_digest=digest,
                                          lodged_at__gte=now - timedelta(hours=1)).count()
        if recent >= limit:
            raise _refuse(N_("Too many objections from your connection in the last hour (at most "
                             "%(limit)s); please try again later."), limit=limit)
        objection = Objection.objects.create(
            publicity=locked, application=application, name=name[:60], organisation=organisation[:120],
            contact=contact[:120], grounds=grounds, client_digest=digest,
        )
        audit_log(action="objection.lodge", obj=objection,
                  after={"publicity": locked.pk, "application": application.pk})
        notice_send(
            users=list(User.objects.filter(is_active=True, memberships__role=Role.BUREAU_ADMIN)
                       .distinct()),
            kind="objection.lodged", params={"title": application.title},
            url=reverse("reviews:publicity_manage", args=[locked.pk]),
        )
    return objection


def objection_decide(*, objection: Objection, by, upheld: bool, reason: str, effect: str = "") -> Objection:
    """Uphold or dismiss an open objection with a reason.

    Upheld needs an effect: `remove` rejects the application (the decision is the comment);
    `rerank` rejects it and runs the selection again for the call (see the module docstring).
    Refuses: not the bureau, no reason, an objection already decided, a closed publicity, an
    upheld objection without an effect. Changes nothing then.
    """
    require_bureau(by)
    reason = (reason or "").strip()
    if not reason:
        raise _refuse(N_("Please give the reason for the decision."))
    if upheld and effect not in (Objection.Effect.REMOVE, Objection.Effect.RERANK):
        raise _refuse(N_("Say what an upheld objection does: remove or re-rank the application."))
    with transaction.atomic():
        locked = Objection.objects.select_for_update().select_related("publicity", "application").get(
            pk=objection.pk)
        if locked.state != ObjectionState.OPEN:
            raise _refuse(N_("This objection was already decided."))
        if locked.publicity.closed_at is not None:
            raise _refuse(N_("This publicity is closed."))
        locked.state = ObjectionState.UPHELD if upheld else ObjectionState.DISMISSED
        locked.effect = effect if upheld else Objection.Effect.NONE
        locked.decision, locked.decided_by, locked.decided_at = reason, by, timezone.now()
        locked.save(update_fields=["state", "effect", "decision", "decided_by", "decided_at"])
        rerun = None
        if upheld and locked.application.state == ApplicationState.IN_PUBLICITY:
            application_transition(application=locked.application, action="reject", by=by, comment=reason)
        if upheld and effect == Objection.Effect.RERANK:
            try:
                rerun = selection_run(call=locked.publicity.call, by=by)
            except Refused:
                rerun = None  # nothing left to select: the place stays empty
        audit_log(action="objection.decide", actor=by, obj=locked, after={
            "application": locked.application_id, "state": locked.state, "effect": locked.effect,
            "decision": reason, "new_selection": rerun.pk if rerun else None,
        })
    locked.new_selection = rerun
    return locked


@dataclass
class ApprovalOutcome:
    application: Application
    approved: bool
    message: str = ""
    grant: Grant | None = None


@dataclass
class ApprovalReport:
    outcomes: list[ApprovalOutcome] = field(default_factory=list)
    closed: bool = False
    rejected: list[Application] = field(default_factory=list)


def publicity_approve(*, publicity: Publicity, by, now=None, today=None) -> ApprovalReport:
    """Approve every application still in publicity into a grant, one transaction each.

    Refuses (nothing changed): not the bureau, a closed publicity, a period not yet ended,
    open objections. Each approval's refusal (target reached, budget) is reported and leaves
    that application in publicity; when none is left the publicity closes and the selection's
    other candidates still reviewed are rejected as not selected (unless a proposed selection
    of the call is waiting for them); applications reviewed after the selection ran wait for
    the next one.
    """
    require_bureau(by)
    now = now or timezone.now()
    publicity = Publicity.objects.select_related("call__program", "selection").get(pk=publicity.pk)
    if publicity.closed_at is not None:
        raise _refuse(N_("This publicity is already closed."))
    if now < publicity.ends_at:
        raise _refuse(N_("The publicity period runs until %(end)s; approve after it ends."),
                      end=timezone.localtime(publicity.ends_at).strftime("%Y-%m-%d %H:%M"))
    open_count = publicity.objections.filter(state=ObjectionState.OPEN).count()
    if open_count:
        raise _refuse(N_("%(count)s objection(s) are still open; decide them first."), count=open_count)
    report = ApprovalReport()
    listed = publicity_applications(publicity).select_related(*APPLICATION_RELATED) \
        .prefetch_related("call_category__category__subsidy_rules").order_by("pk")
    for application in listed:
        if application.state != ApplicationState.IN_PUBLICITY:
            continue
        try:
            grant = application_approve(application=application, by=by,
                                        amount=approval_amount(application),
                                        commissioned=application.commissioned, county_amount=None,
                                        today=today)
        except (GrantRefused, BudgetExceeded) as exc:
            report.outcomes.append(ApprovalOutcome(application, False, str(exc)))
        except Refused as exc:
            report.outcomes.append(ApprovalOutcome(application, False, "; ".join(exc.messages())))
        else:
            report.outcomes.append(ApprovalOutcome(application, True, grant=grant))
    with transaction.atomic():
        locked = Publicity.objects.select_for_update().get(pk=publicity.pk)
        waiting = publicity_applications(locked).filter(state=ApplicationState.IN_PUBLICITY).exists()
        if not waiting and locked.closed_at is None:
            locked.closed_at = now
            locked.save(update_fields=["closed_at"])
            report.closed = True
            pending = Selection.objects.filter(call=locked.call_id, state=SelectionState.PROPOSED).exists()
            if not pending:
                comment = _stored_text(N_("Not selected in the call."))
                # Only the selection's own candidates: an application reviewed after the
                # selection ran was never considered, so it is not "not selected".
                for application in Application.objects.filter(
                        pk__in=candidate_ids(locked.selection), call_category__call=locked.call_id,
                        state=ApplicationState.REVIEWED).order_by("pk"):
                    report.rejected.append(application_transition(
                        application=application, action="reject", by=by, comment=comment))
        audit_log(action="publicity.approve", actor=by, obj=locked, after={
            "approved": [o.application.pk for o in report.outcomes if o.approved],
            "refused": {str(o.application.pk): o.message for o in report.outcomes if not o.approved},
            "closed": report.closed, "rejected": [a.pk for a in report.rejected],
        })
    return report
