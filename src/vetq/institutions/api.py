from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.pagination import paginate

from vetq.accounts import scoping

from .models import Region

router = Router(tags=["institutions"])


class RegionOut(Schema):
    code: str
    name: str
    name_en: str
    kind: str


class InstitutionOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    type: str
    region: str
    supervising_department: str

    @staticmethod
    def resolve_region(obj):
        return obj.region.code

    @staticmethod
    def resolve_supervising_department(obj):
        return obj.supervising_department.code


class MajorOut(Schema):
    id: int
    institution: str
    catalogue_code: str
    name: str
    industries: list[str]
    is_backbone: bool

    @staticmethod
    def resolve_institution(obj):
        return obj.institution.code

    @staticmethod
    def resolve_industries(obj):
        return [i.code for i in obj.industries.all()]


@router.get("/regions", response=list[RegionOut])
def list_regions(request):
    return Region.objects.all()


@router.get("/institutions", response=list[InstitutionOut])
@paginate
def list_institutions(request, region: str | None = None, type: str | None = None):
    institutions = scoping.institutions_for(request.user).select_related(
        "region", "supervising_department"
    )
    if region:
        institutions = institutions.filter(region__code=region)
    if type:
        institutions = institutions.filter(type=type)
    return institutions.order_by("code")


@router.get("/institutions/{pk}", response=InstitutionOut)
def get_institution(request, pk: int):
    return get_object_or_404(
        scoping.institutions_for(request.user).select_related("region", "supervising_department"),
        pk=pk,
    )


@router.get("/majors", response=list[MajorOut])
@paginate
def list_majors(request, institution: str | None = None):
    majors = scoping.majors_for(request.user).select_related("institution").prefetch_related(
        "industries"
    )
    if institution:
        majors = majors.filter(institution__code=institution)
    return majors.order_by("institution__code", "catalogue_code")


@router.get("/majors/{pk}", response=MajorOut)
def get_major(request, pk: int):
    return get_object_or_404(
        scoping.majors_for(request.user).select_related("institution").prefetch_related(
            "industries"
        ),
        pk=pk,
    )
