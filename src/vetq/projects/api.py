"""Projects in the JSON API (read only), scoped as the pages are: the bureau reads every
project, a region officer its schools', a school its own, a finance officer those its payer
pays; anyone else gets an empty list and a 404 for any one project."""

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from vetq.funding.api import Money, TrancheOut
from vetq.funding.exports import payer_code

from .models import Project
from .queries import ProjectFilters, project_tranches, projects_for, projects_listed

router = Router(tags=["projects"])


class ProjectOut(Schema):
    id: int
    title: str
    application: int = Field(alias="application_id")
    grant: int = Field(alias="grant_id")
    category: str = Field(alias="category.code")
    category_name: str = Field(alias="category.name")
    institution: str = Field(alias="institution.code")
    institution_name: str = Field(alias="institution.name")
    region: str = Field(alias="institution.region.code")
    payer: str
    lead_name: str
    state: str
    rating: str
    starts_on: date
    ends_on: date
    extended_to: date | None
    due_on: date
    promised: Money
    paid: Money

    @staticmethod
    def resolve_payer(obj: Project) -> str:
        return payer_code(obj.grant)


class EventOut(Schema):
    action: str
    before: dict
    after: dict
    reason: str
    at: datetime


class ProjectDetailOut(ProjectOut):
    goals: str
    milestones: list[dict]
    team: list[dict]
    budget: list[dict]
    extension_reason: str
    tranches: list[TrancheOut]
    events: list[EventOut]

    @staticmethod
    def resolve_tranches(obj: Project) -> list:
        return project_tranches(obj, timezone.localdate())

    @staticmethod
    def resolve_events(obj: Project) -> list:
        return list(obj.events.all())


@router.get("/projects", response=list[ProjectOut])
@paginate
def list_projects(request, category: str = "", region: str = "", school: str = "",
                  state: str = "", rating: str = ""):
    """The projects the caller may read, latest start first, with the money promised (live
    tranches) and paid (net of reversals); filters as on the project list."""
    filters = ProjectFilters.from_query({"category": category, "region": region,
                                         "school": school, "state": state, "rating": rating})
    return projects_listed(projects_for(request.user), filters)


@router.get("/projects/{pk}", response=ProjectDetailOut)
def get_project(request, pk: int):
    """One project with its plan, its tranches (paid and payable today) and its history."""
    return get_object_or_404(projects_listed(projects_for(request.user), ProjectFilters()),
                             pk=pk)
