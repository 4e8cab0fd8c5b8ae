"""Every write to an application. `application_transition` is the only code that changes
an application's state; each call writes its history row and audit entry in one transaction."""

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vetq.accounts.models import User
from vetq.accounts.roles import Role
from vetq.audit.services import audit_log
from vetq.notices.services import notice_send
from vetq.programs.models import CallCategory, CallState

from . import eligibility
from .forms_spec import form_snapshot, missing_answers
from .models import Application, ApplicationEvent, EligibilityCheck
from .states import LIVE_STATES, ApplicationState
from .workflow import Transition, transition_for


class Refused(Exception):
    """A change the rules do not allow; `reasons` say why, as (message id, params) failures.
    Nothing was changed."""

    def __init__(self, reasons: list[eligibility.Failure]):
        self.reasons = reasons
        super().__init__("; ".join(r.message % r.params if r.params else r.message for r in reasons))

    def messages(self) -> list[str]:
        """The reasons in the active language."""
        return [_(r.message) % r.params if r.params else _(r.message) for r in self.reasons]


def _refuse(message: str, **params) -> Refused:
    return Refused([eligibility.Failure("refused", message, params)])


def acts_as(user, role: str, application: Application) -> bool:
    """Whether `user` holds `role` for this application's school."""
    from vetq.accounts.scoping import memberships

    for m in memberships(user):
        if m.role != role:
            continue
        if role == Role.BUREAU_ADMIN:
            return True
        if role == Role.SCHOOL_USER and m.institution_id == application.institution_id:
            return True
        if role == Role.REGION_OFFICER and m.region_id == application.institution.region_id:
            return True
    return False


@transaction.atomic
def application_create(*, call_category: CallCategory, institution, by: User, title: str) -> Application:
    """Start a draft against the category's current form. Refuses a call that is not open,
    a passed deadline, and a user who does not act for the school."""
    call = call_category.call
    now = timezone.now()
    if not call.is_open_for_submission(now):
        raise _refuse("The call is not open for applications.")
    if institution.type not in call_category.category.eligible_types:
        raise _refuse("Institutions of this type may not apply for this category.")
    probe = Application(institution=institution)
    if not acts_as(by, Role.SCHOOL_USER, probe):
        raise _refuse("You do not act for this school.")
    title = title.strip()
    if not title:
        raise _refuse("Required: %(field)s.", field=_("project title"))
    application = Application.objects.create(
        call_category=call_category,
        institution=institution,
        title=title[:150],
        created_by=by,
        form=form_snapshot(call_category.category),
    )
    audit_log(action="application.create", actor=by, obj=application,
              after={"call_category": call_category.pk, "institution": institution.code})
    return application


def submission_facts(application: Application, now) -> eligibility.SubmissionFacts:
    """Gather what the eligibility rules need from the database."""
    call_category = application.call_category
    call = call_category.call
    category = call_category.category
    others = Application.objects.filter(
        call_category=call_category, institution=application.institution,
        state__in=LIVE_STATES - {ApplicationState.DRAFT},
    ).exclude(pk=application.pk)
    rivals = Application.objects.filter(
        call_category__category__code=category.code,
        call_category__call__program=call.program,
        state__in=(LIVE_STATES - {ApplicationState.DRAFT}) | {ApplicationState.APPROVED},
    ).exclude(pk=application.pk)
    # The application's own majors first (a handful of ids), then which of them a rival
    # application names: one small query each, fast on any database.
    own = list(application.majors.values_list("pk", flat=True))
    taken = (
        Application.majors.through.objects.filter(application__in=rivals, major_id__in=own)
        .order_by()
        .values_list("major__catalogue_code", flat=True)
        .distinct()
    ) if own else []
    cap = call_category.per_school_cap or application.form.get("category", {}).get("per_school_cap")
    fields, attachments = missing_answers(application)
    return eligibility.SubmissionFacts(
        now=now,
        call_open=call.state == CallState.PUBLISHED,
        submission_deadline=call.submission_deadline,
        institution_type=application.institution.type,
        eligible_types=category.eligible_types,
        per_school_cap=cap,
        other_live_in_call_category=others.count(),
        majors_taken=sorted(taken),
        missing_fields=fields,
        missing_attachments=attachments,
    )


def _check_guard(transition: Transition, application: Application, now) -> None:
    call = application.call_category.call
    if transition.guard == "eligibility":
        failures = eligibility.check_submission(submission_facts(application, now))
        if failures:
            raise Refused(failures)
    elif transition.guard == "formal_check_window":
        if now > call.formal_check_deadline:
            raise _refuse("The formal check deadline (%(deadline)s) has passed; extend the call "
                          "to record a decision.",
                          deadline=timezone.localtime(call.formal_check_deadline)
                          .strftime("%Y-%m-%d %H:%M"))
    elif transition.guard in {"recommendation_window", "recommendation"}:
        if now > call.recommendation_deadline:
            raise _refuse("The recommendation deadline (%(deadline)s) has passed.",
                          deadline=timezone.localtime(call.recommendation_deadline)
                          .strftime("%Y-%m-%d %H:%M"))
        if transition.guard == "recommendation":
            cap = application.call_category.per_region_cap
            done = Application.objects.filter(
                call_category=application.call_category,
                institution__region_id=application.institution.region_id,
                events__action="recommend",
            ).exclude(state=ApplicationState.WITHDRAWN).distinct().count()
            if eligibility.region_cap_reached(recommended_so_far=done, cap=cap):
                raise _refuse("Your region has already recommended %(count)s application(s) in "
                              "this category; the cap is %(cap)s.", count=done, cap=cap)


def _audience(application: Application, audiences: tuple[str, ...]) -> list[User]:
    users: list[User] = []
    for audience in audiences:
        if audience == "school":
            query = {"memberships__role": Role.SCHOOL_USER,
                     "memberships__institution_id": application.institution_id}
        elif audience == "region":
            query = {"memberships__role": Role.REGION_OFFICER,
                     "memberships__region_id": application.institution.region_id}
        else:
            query = {"memberships__role": Role.BUREAU_ADMIN}
        users.extend(User.objects.filter(is_active=True, **query).distinct())
    return users


def application_transition(*, application: Application, action: str, by: User,
                           comment: str = "") -> Application:
    """Move an application by one step of the workflow table.

    Locks the application (and its call category, whose caps the move may count), checks
    the move is allowed from the current state, that `by` holds the move's role for this
    school, that a required comment is given and that the move's guard holds; then changes
    the state and writes the history row, the audit entry and the notices in the same
    transaction. Raises Refused and changes nothing otherwise; a submission refused by the
    eligibility rules still records its failed automatic check.
    """
    transition = transition_for(action)
    if transition is None:
        raise _refuse("Unknown action.")
    comment = comment.strip()
    try:
        with transaction.atomic():
            CallCategory.objects.select_for_update().get(pk=application.call_category_id)
            locked = (
                Application.objects.select_for_update()
                .select_related("call_category__call__program", "call_category__category",
                                "institution__region")
                .get(pk=application.pk)
            )
            if locked.state not in transition.sources:
                raise _refuse("This application is %(state)s; it cannot be changed that way now.",
                              state=locked.get_state_display())
            if not acts_as(by, transition.role, locked):
                raise _refuse("Your role does not allow this change.")
            if transition.comment_required and not comment:
                raise _refuse("Please give a reason.")
            now = timezone.now()
            _check_guard(transition, locked, now)
            before = locked.state
            locked.state = transition.target
            if transition.action == "submit":
                locked.submitted_at = now
                EligibilityCheck.objects.create(
                    application=locked, kind=EligibilityCheck.Kind.AUTOMATIC, passed=True, by=by
                )
            if transition.action in {"mark_eligible", "mark_ineligible"}:
                EligibilityCheck.objects.create(
                    application=locked, kind=EligibilityCheck.Kind.FORMAL,
                    passed=transition.action == "mark_eligible", reason=comment, by=by,
                )
            locked.save(update_fields=["state", "submitted_at", "updated_at"])
            ApplicationEvent.objects.create(
                application=locked, action=action, from_state=before,
                to_state=transition.target, by=by, comment=comment,
            )
            audit_log(action=f"application.{action}", actor=by, obj=locked,
                      before={"state": before},
                      after={"state": transition.target, "comment": comment})
            if transition.notify:
                notice_send(
                    users=[u for u in _audience(locked, transition.notify) if u.pk != by.pk],
                    kind=f"application.{action}",
                    params={"title": locked.title, "institution": locked.institution.name,
                            "comment": comment},
                    url=reverse("applications:detail", args=[locked.pk]),
                )
    except Refused as refusal:
        if transition.action == "submit" and any(r.code != "refused" for r in refusal.reasons):
            EligibilityCheck.objects.create(
                application=application, kind=EligibilityCheck.Kind.AUTOMATIC, passed=False,
                failures=[{"code": r.code, "message": r.message, "params": r.params}
                          for r in refusal.reasons],
                by=by,
            )
        raise
    return locked
