"""The expert pool in the JSON API (R24). The pool is the bureau's: anyone else gets 403 on
/experts. An expert reads and updates its own profile at /me/expert (404 for a user who is
not an expert); the bureau-kept fields (code, name, employer, region) are read-only there."""

from datetime import date, datetime

from django.db.models import Avg
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from vetq.institutions.models import Industry

from .. import pool
from ..models import Declaration, Employment, Expert
from ..pool_queries import ExpertFilters, expert_loaded, experts_listed

router = Router(tags=["reviews"])
PAGE_SIZE = 50


class Refusal(Schema):
    detail: list[str]


def _employer(institution, enterprise) -> dict | None:
    if institution is not None:
        return {"kind": "institution", "code": institution.code, "name": institution.name}
    if enterprise is not None:
        return {"kind": "enterprise", "code": enterprise.credit_code or "", "name": enterprise.name}
    return None


class EmployerOut(Schema):
    kind: str
    code: str
    name: str


class ExpertOut(Schema):
    code: str
    name: str
    title: str
    employer: EmployerOut | None
    region: str | None
    specialties: list[str]
    major_groups: list[str]
    phone: str
    email: str
    active: bool
    has_account: bool

    @staticmethod
    def resolve_employer(obj: Expert) -> dict | None:
        return _employer(obj.employer_institution, obj.employer_enterprise)

    @staticmethod
    def resolve_region(obj: Expert) -> str | None:
        return obj.region.code if obj.region_id else None

    @staticmethod
    def resolve_specialties(obj: Expert) -> list[str]:
        return [industry.code for industry in obj.specialties.all()]

    @staticmethod
    def resolve_has_account(obj: Expert) -> bool:
        return obj.user_id is not None


class ExpertListOut(ExpertOut):
    rating_average: float | None
    rating_count: int
    panels: int = Field(alias="panel_count")

    @staticmethod
    def resolve_rating_average(obj: Expert) -> float | None:
        return None if obj.rating_average is None else round(float(obj.rating_average), 2)


class EmploymentOut(Schema):
    id: int
    employer: EmployerOut
    position: str
    started: date | None
    ended: date | None

    @staticmethod
    def resolve_employer(obj: Employment) -> dict | None:
        return _employer(obj.institution, obj.enterprise)


class DeclarationOut(Schema):
    id: int
    institution: str | None
    enterprise: str | None
    person: str
    reason: str
    declared_at: datetime = Field(alias="created_at")
    withdrawn_at: datetime | None

    @staticmethod
    def resolve_institution(obj: Declaration) -> str | None:
        return obj.institution.code if obj.institution_id else None

    @staticmethod
    def resolve_enterprise(obj: Declaration) -> str | None:
        return obj.enterprise.name if obj.enterprise_id else None


class ExpertDetailOut(ExpertOut):
    employments: list[EmploymentOut]
    declarations: list[DeclarationOut]

    @staticmethod
    def resolve_employments(obj: Expert) -> list[Employment]:
        return list(obj.employments.all())

    @staticmethod
    def resolve_declarations(obj: Expert) -> list[Declaration]:
        return list(obj.declarations.all())


class RatingOut(Schema):
    panel: int = Field(alias="panel_id")
    score: int
    comment: str
    at: datetime


class ExpertBureauOut(ExpertDetailOut):
    ratings: list[RatingOut]
    rating_average: float | None

    @staticmethod
    def resolve_ratings(obj: Expert) -> list:
        return list(obj.ratings.all())

    @staticmethod
    def resolve_rating_average(obj: Expert) -> float | None:
        average = obj.ratings.aggregate(value=Avg("score"))["value"]
        return None if average is None else round(float(average), 2)


class ProfileIn(Schema):
    """What an expert may change in its own profile; fields left out stay as they are."""

    title: str | None = None
    phone: str | None = None
    email: str | None = None
    specialties: list[str] | None = None  # industry codes
    major_groups: list[str] | None = None


def _refused(messages: list[str]) -> dict:
    return {"detail": messages}


def _forbidden():
    return Status(403, _refused([_("Only the education bureau may read the expert pool.")]))


class ExpertPageOut(Schema):
    items: list[ExpertListOut]
    count: int


@router.get("/experts", response={200: ExpertPageOut, 403: Refusal})
def list_experts(request, q: str = "", region: str = "", industry: str = "", kind: str = "",
                 active: str = "", limit: int = PAGE_SIZE, offset: int = 0):
    """The pool (bureau only), ordered by code, `limit` at a time from `offset` (as the other
    paged lists); filters as on the list page: `q` (name or code), `region` and `industry`
    codes, `kind` (institution|enterprise), `active` (yes|no)."""
    if not pool.is_bureau(request.user):
        return _forbidden()
    filters = ExpertFilters.from_query({"q": q, "region": region, "industry": industry,
                                        "kind": kind, "active": active})
    experts = experts_listed(filters)
    limit, offset = min(max(limit, 1), PAGE_SIZE), max(offset, 0)
    return {"items": list(experts[offset:offset + limit]), "count": experts.count()}


@router.get("/experts/{code}", response={200: ExpertBureauOut, 403: Refusal})
def get_expert(request, code: str):
    """One expert with its employment history, declarations and ratings (bureau only)."""
    if not pool.is_bureau(request.user):
        return _forbidden()
    return get_object_or_404(expert_loaded().prefetch_related("ratings"),
                             code=pool.code_normalise(code))


def _own(request) -> Expert:
    expert = getattr(request.user, "expert", None)
    if expert is None or not pool.is_self(request.user, expert):
        raise Http404
    return expert_loaded().get(pk=expert.pk)


@router.get("/me/expert", response=ExpertDetailOut)
def get_my_expert(request):
    """The caller's own expert profile, with its employment history and declarations."""
    return _own(request)


@router.put("/me/expert", response={200: ExpertDetailOut, 400: Refusal})
def update_my_expert(request, payload: ProfileIn):
    """Change the caller's title, phone, e-mail, specialties (industry codes) or major groups."""
    expert = _own(request)
    changes = payload.model_dump(exclude_unset=True)
    if changes.get("specialties") is not None:
        codes = set(changes["specialties"])
        industries = list(Industry.objects.filter(code__in=codes))
        unknown = sorted(codes - {industry.code for industry in industries})
        if unknown:
            return Status(400, _refused([_("Unknown industry: %(names)s.")
                                         % {"names": "、".join(unknown)}]))
        changes["specialties"] = industries
    changes = {key: ([] if value is None and key in {"specialties", "major_groups"} else
                     "" if value is None else value) for key, value in changes.items()}
    try:
        pool.expert_update(expert=expert, by=request.user, **changes)
    except pool.PoolRefused as refusal:
        return Status(400, _refused([refusal.message]))
    return Status(200, _own(request))

