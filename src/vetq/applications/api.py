"""Calls and applications in the JSON API: reads scoped like the pages, and a school user's
create, edit and submit through the same services the pages use.

A refused change answers with `{"detail": [reasons]}` in the caller's language: 403 when the
caller does not act for the school, 409 when the application's state does not allow it,
400 when what was sent fails its checks.
"""

from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from vetq.accounts import scoping
from vetq.accounts.roles import Role
from vetq.programs.models import Call, CallCategory, CallState

from .editing import application_update
from .models import Application, ApplicationEvent
from .queries import ListFilters, applications_listed
from .services import Refused, acts_as, application_create, application_transition
from .states import ApplicationState

router = Router(tags=["applications"])


class Refusal(Schema):
    detail: list[str]


class CallCategoryOut(Schema):
    id: int
    category: str = Field(alias="category.code")
    name: str = Field(alias="category.name")
    quota: int
    per_school_cap: int | None
    per_region_cap: int | None


class CallOut(Schema):
    id: int
    program: str = Field(alias="program.code")
    year: int
    title: str
    notice: str
    state: str
    submission_deadline: datetime
    recommendation_deadline: datetime
    formal_check_deadline: datetime
    published_at: datetime | None
    closed_at: datetime | None
    categories: list[CallCategoryOut]

    @staticmethod
    def resolve_categories(obj: Call):
        return obj.call_categories.all()


class EventOut(Schema):
    action: str
    from_state: str
    to_state: str
    by: str
    comment: str
    at: datetime

    @staticmethod
    def resolve_by(obj: ApplicationEvent) -> str:
        if getattr(obj, "actor_hidden", False):
            return ""
        return obj.by.full_name or obj.by.get_username()


class ApplicationOut(Schema):
    id: int
    call: int = Field(alias="call_category.call_id")
    year: int = Field(alias="call_category.call.year")
    category: str = Field(alias="call_category.category.code")
    institution: str = Field(alias="institution.code")
    institution_name: str = Field(alias="institution.name")
    region: str = Field(alias="institution.region.code")
    title: str
    state: str
    submitted_at: datetime | None
    updated_at: datetime


class ApplicationDetailOut(ApplicationOut):
    lead_name: str
    lead_title: str
    lead_phone: str
    team: list[dict[str, Any]]
    goals: str
    milestones: list[dict[str, Any]]
    budget: list[dict[str, Any]]
    answers: dict[str, Any]
    majors: list[str]
    industries: list[str]
    enterprises: list[str]
    events: list[EventOut]

    @staticmethod
    def resolve_majors(obj: Application) -> list[str]:
        return [m.catalogue_code for m in obj.majors.all()]

    @staticmethod
    def resolve_industries(obj: Application) -> list[str]:
        return [i.code for i in obj.industries.all()]

    @staticmethod
    def resolve_enterprises(obj: Application) -> list[str]:
        return [e.name for e in obj.enterprises.all()]

    @staticmethod
    def resolve_events(obj: Application):
        return obj.events.all()


class ApplicationCreateIn(Schema):
    call_category: int
    title: str
    institution: int | None = None  # needed only by a user who acts for several schools


class TeamMemberIn(Schema):
    name: str
    title: str = ""
    unit: str = ""
    role: str = ""


class MilestoneIn(Schema):
    year: int
    text: str


class BudgetLineIn(Schema):
    item: str
    amount: Decimal = Decimal(0)
    school: Decimal = Decimal(0)
    partner: Decimal = Decimal(0)


class ApplicationUpdateIn(Schema):
    """Only the fields given change; lists replace the whole list."""

    title: str | None = None
    lead_name: str | None = None
    lead_title: str | None = None
    lead_phone: str | None = None
    goals: str | None = None
    team: list[TeamMemberIn] | None = None
    milestones: list[MilestoneIn] | None = None
    budget: list[BudgetLineIn] | None = None
    answers: dict[str, Any] | None = None
    majors: list[int] | None = None
    industries: list[int] | None = None
    enterprises: list[int] | None = None


def _calls_for(user):
    calls = Call.objects.select_related("program").prefetch_related(
        Prefetch("call_categories", queryset=CallCategory.objects.select_related("category"))
    )
    if scoping.has_role(user, Role.BUREAU_ADMIN):
        return calls
    return calls.filter(state__in=[CallState.PUBLISHED, CallState.CLOSED])


def _detail(user, pk: int) -> Application:
    application = get_object_or_404(
        scoping.applications_for(user)
        .select_related("call_category__call", "call_category__category", "institution__region")
        .prefetch_related(
            "majors", "industries", "enterprises",
            Prefetch("events", queryset=ApplicationEvent.objects.select_related("by")),
        ),
        pk=pk,
    )
    if scoping.reviewer_identities_hidden(user):
        for event in application.events.all():
            event.actor_hidden = True
    return application


def _refused(messages: list[str]) -> dict:
    return {"detail": [str(m) for m in messages]}


@router.get("/calls", response=list[CallOut])
def list_calls(request):
    """Open and closed calls; the bureau also sees its drafts."""
    return _calls_for(request.user)


@router.get("/calls/{pk}", response=CallOut)
def get_call(request, pk: int):
    return get_object_or_404(_calls_for(request.user), pk=pk)


@router.get("/applications", response=list[ApplicationOut])
@paginate
def list_applications(request, call: int | None = None, category: str = "", state: str = "",
                      region: str = "", school: int | None = None, q: str = ""):
    """The applications the caller may read (a school its own, a region officer its region's
    submitted ones, the bureau all), filtered like the list pages."""
    filters = ListFilters(call=call, category=category, state=state, region=region,
                          school=school, q=q.strip())
    return applications_listed(scoping.applications_for(request.user), filters)


@router.get("/applications/{pk}", response=ApplicationDetailOut)
def get_application(request, pk: int):
    return _detail(request.user, pk)


@router.post("/applications", response={201: ApplicationDetailOut, 400: Refusal, 403: Refusal})
def create_application(request, payload: ApplicationCreateIn):
    """Start a draft for the caller's school against the category's current form."""
    schools = scoping.own_institutions(request.user)
    if payload.institution is not None:
        schools = [s for s in schools if s.pk == payload.institution]
    if not schools:
        return Status(403, _refused([_("You do not act for this school.")]))
    if len(schools) > 1:
        return Status(400, _refused([_("Choose the school the application is for.")]))
    call_category = get_object_or_404(
        CallCategory.objects.select_related("call", "category"), pk=payload.call_category
    )
    try:
        application = application_create(call_category=call_category, institution=schools[0],
                                         by=request.user, title=payload.title)
    except Refused as refusal:
        return Status(400, _refused(refusal.messages()))
    return Status(201, _detail(request.user, application.pk))


def _as_school(request, pk: int) -> Application | None:
    """The application in the caller's scope (else 404), if the caller acts for its school."""
    application = get_object_or_404(
        scoping.applications_for(request.user).select_related("institution"), pk=pk
    )
    return application if acts_as(request.user, Role.SCHOOL_USER, application) else None


@router.patch("/applications/{pk}",
              response={200: ApplicationDetailOut, 400: Refusal, 403: Refusal, 409: Refusal})
def update_application(request, pk: int, payload: ApplicationUpdateIn):
    """Change a draft's content; checked against the application's own form copy."""
    application = _as_school(request, pk)
    if application is None:
        return Status(403, _refused([_("You do not act for this school.")]))
    if application.state != ApplicationState.DRAFT:
        message = _("This application is %(state)s; only a draft can be changed.")
        return Status(409, _refused([message % {"state": application.get_state_display()}]))
    data = payload.model_dump(exclude_unset=True)
    if "budget" in data:
        data["budget"] = [{key: str(value) for key, value in line.items()}
                          for line in data["budget"] or []]
    try:
        application_update(application=application, by=request.user, data=data)
    except Refused as refusal:
        status = 409 if all(r.code == "refused" for r in refusal.reasons) else 400
        return Status(status, _refused(refusal.messages()))
    return Status(200, _detail(request.user, pk))


@router.post("/applications/{pk}/submit",
             response={200: ApplicationDetailOut, 403: Refusal, 409: Refusal})
def submit_application(request, pk: int):
    """Submit a draft: the automatic eligibility checks run and are recorded; a failing
    application stays a draft and the reasons come back."""
    application = _as_school(request, pk)
    if application is None:
        return Status(403, _refused([_("You do not act for this school.")]))
    try:
        application_transition(application=application, action="submit", by=request.user)
    except Refused as refusal:
        return Status(409, _refused(refusal.messages()))
    return Status(200, _detail(request.user, pk))
