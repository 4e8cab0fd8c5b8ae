"""Writing one planned demo application and taking it to its planned state.

The content always goes through the real services (`application_update`, `attachment_add`).
In the open call the whole life does too (`application_create`, `application_transition`).
A call whose deadlines lie years back cannot be applied to any more, so there the draft and
its history are written directly, by `past_history_write`, with the dates of that year;
every state still has its history events and eligibility checks, as the services would
have written them.
"""

from datetime import datetime, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile

from vetq.accounts.models import User
from vetq.applications.editing import application_update, attachment_add
from vetq.applications.forms_spec import form_snapshot
from vetq.applications.models import Application, ApplicationEvent, EligibilityCheck
from vetq.applications.services import application_create, application_transition
from vetq.applications.states import ApplicationState as S
from vetq.core.models import StoredFile
from vetq.institutions.models import Enterprise, Industry, Institution
from vetq.programs.models import CallCategory

from .actors import Actors
from .application_content import content_for, demo_pdf
from .application_plan import ApplicationSpec, local

PLAN_SLOT = "implementation_plan"
# The moves that take a submitted application to each planned end state.
MOVES = {
    "draft": (),
    "submitted": ("submit",),
    "recommended": ("submit", "recommend"),
    "eligible": ("submit", "recommend", "mark_eligible"),
    "ineligible": ("submit", "recommend", "mark_ineligible"),
    "withdrawn": ("submit", "withdraw"),
}
STEPS = {
    "submit": (S.DRAFT, S.SUBMITTED, "school"),
    "recommend": (S.SUBMITTED, S.RECOMMENDED, "region"),
    "mark_eligible": (S.RECOMMENDED, S.ELIGIBLE, "bureau"),
    "mark_ineligible": (S.RECOMMENDED, S.INELIGIBLE, "bureau"),
    "withdraw": (S.SUBMITTED, S.WITHDRAWN, "school"),
}


def _actor(role: str, spec: ApplicationSpec, school: Institution, actors: Actors) -> User:
    if role == "school":
        return actors.schools[spec.school]
    if role == "region":
        return actors.regions[school.region.code]
    return actors.bureau


def _comment(action: str, spec: ApplicationSpec) -> str:
    if action == "recommend":
        return spec.recommend_comment
    if action in {"mark_ineligible", "withdraw"}:
        return spec.comment
    return ""


def application_fill(application: Application, spec: ApplicationSpec, *, user: User,
                     industries: dict[str, Industry]) -> None:
    """Give a draft its planned content and, unless it stays a draft, its implementation plan."""
    data = content_for(spec.category, application.form, spec.year, spec.context,
                       {code: i.name for code, i in industries.items()})
    if spec.major:
        major = application.institution.majors.get(catalogue_code=spec.major)
        data["majors"] = [major.pk]
        data["industries"] = sorted(industries[code].pk for code in spec.context.industries)
    if spec.enterprise:
        data["enterprises"] = [Enterprise.objects.get(credit_code=spec.enterprise).pk]
    application_update(application=application, by=user, data=data)
    if spec.outcome != "draft":
        upload = SimpleUploadedFile(
            "建设实施方案.pdf", demo_pdf(f"Implementation plan: demo application {spec.serial}"),
            content_type="application/pdf",
        )
        attachment_add(application=application, slot=PLAN_SLOT, upload=upload, by=user)


def open_application_write(spec: ApplicationSpec, *, call_category: CallCategory,
                           school: Institution, actors: Actors,
                           industries: dict[str, Industry]) -> Application:
    """An application of the open call, from `application_create` to its planned state
    through `application_transition`, as the people concerned would have done it."""
    user = actors.schools[spec.school]
    application = application_create(call_category=call_category, institution=school, by=user,
                                     title=spec.title)
    application_fill(application, spec, user=user, industries=industries)
    for action in MOVES[spec.outcome]:
        application = application_transition(
            application=application, action=action,
            by=_actor(STEPS[action][2], spec, school, actors), comment=_comment(action, spec),
        )
    return application


def _times(spec: ApplicationSpec) -> dict[str, datetime]:
    """When each step happened in a past call: within its deadlines of that year."""
    year, n = spec.year, spec.serial
    return {
        "created": local(year, 3, 5 + n % 20, 10),
        "submit": local(year, 4, 5 + n % 20, 15, 30),
        "withdraw": local(year, 4, 26 + n % 4, 9),
        "recommend": local(year, 5, 4 + n % 14, 10),
        "mark_eligible": local(year, 5, 25 + n % 5, 14),
        "mark_ineligible": local(year, 5, 25 + n % 5, 14),
    }


def past_application_write(spec: ApplicationSpec, *, call_category: CallCategory,
                           school: Institution, actors: Actors,
                           industries: dict[str, Industry]) -> Application:
    """An application of a closed call: the draft is created directly (`application_create`
    refuses a call whose deadline has passed), filled through the services, then given its
    history by `past_history_write`."""
    user = actors.schools[spec.school]
    application = Application.objects.create(
        call_category=call_category, institution=school, title=spec.title, created_by=user,
        form=form_snapshot(call_category.category),
    )
    application_fill(application, spec, user=user, industries=industries)
    past_history_write(application, spec, school=school, actors=actors)
    return application


def past_history_write(application: Application, spec: ApplicationSpec, *,
                       school: Institution, actors: Actors) -> None:
    """Write, with the dates of the call's year, every step that took a past application to
    its planned state: one history event per move (by the school, the region officer or the
    bureau, with their comments), the passed automatic check at submission and the bureau's
    formal check, and the application's state and dates."""
    times = _times(spec)
    created = times["created"]
    for action in MOVES[spec.outcome]:
        before, after, role = STEPS[action]
        event = ApplicationEvent.objects.create(
            application=application, action=action, from_state=before, to_state=after,
            by=_actor(role, spec, school, actors), comment=_comment(action, spec),
        )
        ApplicationEvent.objects.filter(pk=event.pk).update(at=times[action])
        if action in {"submit", "mark_eligible", "mark_ineligible"}:
            formal = action != "submit"
            check = EligibilityCheck.objects.create(
                application=application,
                kind=EligibilityCheck.Kind.FORMAL if formal else EligibilityCheck.Kind.AUTOMATIC,
                passed=action != "mark_ineligible", reason=_comment(action, spec),
                by=event.by,
            )
            EligibilityCheck.objects.filter(pk=check.pk).update(at=times[action])
    last = max((times[a] for a in MOVES[spec.outcome]), default=created)
    Application.objects.filter(pk=application.pk).update(
        state=STEPS[MOVES[spec.outcome][-1]][1] if MOVES[spec.outcome] else S.DRAFT,
        submitted_at=times["submit"] if MOVES[spec.outcome] else None,
        created_at=created, updated_at=last,
    )
    StoredFile.objects.filter(application_attachment__application=application).update(
        uploaded_at=created + timedelta(days=10)
    )
