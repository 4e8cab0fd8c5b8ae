"""Check rounds (mid-term checks and acceptances) in the JSON API, read only, scoped as the
pages are: the bureau reads every round and entry; a region officer, a school and a finance
officer the rounds holding one of their projects, with only those projects' entries; an
expert none (it reads what it scores through its review). Nobody reads who scored."""

from datetime import date, datetime
from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema

from . import check_queries
from .models import CheckRound
from .queries import projects_for

router = Router(tags=["projects"])


class CheckRoundOut(Schema):
    id: int
    name: str
    kind: str
    state: str
    call_category: int = Field(alias="call_category_id")
    year: int = Field(alias="call_category.call.year")
    category: str = Field(alias="call_category.category.code")
    self_assessment_due: date
    rules: dict
    created_at: datetime
    closed_at: datetime | None
    projects: int = Field(alias="n_entries")
    filed: int = Field(alias="n_filed")
    decided: int = Field(alias="n_decided")


class CheckFileOut(Schema):
    id: int
    purpose: str
    name: str = Field(alias="file.original_name")
    size: int = Field(alias="file.size")


class CheckEntryOut(Schema):
    id: int
    round: int = Field(alias="round_id")
    kind: str = Field(alias="round.kind")
    project: int = Field(alias="project_id")
    title: str = Field(alias="project.title")
    institution: str = Field(alias="project.institution.code")
    institution_name: str = Field(alias="project.institution.name")
    submitted_at: datetime | None
    self_score: Decimal | None
    self_overdue: bool
    score: Decimal | None
    result: str
    suggested: str
    comment: str
    decided_at: datetime | None
    rectification_due: date | None
    rectified_at: datetime | None
    rectification_overdue: bool
    recheck_result: str
    rechecked_at: datetime | None
    files: list[CheckFileOut]

    @staticmethod
    def resolve_files(obj) -> list:
        return list(obj.files.all())


class CheckRoundDetailOut(CheckRoundOut):
    entries: list[CheckEntryOut] = Field(alias="entry_rows")


@router.get("/check-rounds", response=list[CheckRoundOut])
def list_check_rounds(request):
    """The rounds holding a project the caller may read, newest first, with the counts of
    those projects: in all, self-assessments filed, results recorded."""
    return list(check_queries.rounds_listed(request.user))


@router.get("/check-rounds/{pk}", response=CheckRoundDetailOut)
def get_check_round(request, pk: int):
    """One round with the entries the caller may read: self-assessment filed, scores,
    results, rectification and re-check."""
    try:
        check_round = check_queries.round_get(request.user, pk)
    except CheckRound.DoesNotExist as missing:
        raise Http404 from missing
    check_round.entry_rows = check_queries.round_entries(check_round, request.user,
                                                             timezone.localdate())
    return check_round


@router.get("/projects/{pk}/checks", response=list[CheckEntryOut])
def get_project_checks(request, pk: int):
    """A project's entries in check rounds, newest round first."""
    project = get_object_or_404(projects_for(request.user).select_related("institution"), pk=pk)
    return check_queries.project_checks(project, timezone.localdate())
