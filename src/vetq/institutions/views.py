from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render
from rules.contrib.views import permission_required

from vetq.accounts import scoping

from .enums import InstitutionType
from .models import Region


@permission_required("institutions.view_list", raise_exception=True)
def institution_list(request):
    """Institutions the user may see, filterable by region and type, searchable by name."""
    institutions = (
        scoping.institutions_for(request.user)
        .select_related("region", "supervising_department")
        .annotate(major_count=Count("majors"))
    )
    region = request.GET.get("region", "")
    kind = request.GET.get("type", "")
    query = request.GET.get("q", "").strip()
    if region:
        institutions = institutions.filter(region__code=region)
    if kind:
        institutions = institutions.filter(type=kind)
    if query:
        institutions = institutions.filter(Q(name__icontains=query) | Q(code__icontains=query))
    page = Paginator(institutions.order_by("region__order", "code"), 50).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "institutions/list.html",
        {
            "page": page,
            "regions": Region.objects.all(),
            "types": InstitutionType.choices,
            "filters": {"region": region, "type": kind, "q": query},
        },
    )


@permission_required("institutions.view_list", raise_exception=True)
def institution_detail(request, pk: int):
    """One institution with its majors; outside the user's scope it does not exist (404)."""
    institution = get_object_or_404(
        scoping.institutions_for(request.user).select_related("region", "supervising_department"),
        pk=pk,
    )
    majors = institution.majors.prefetch_related("industries").order_by("catalogue_code")
    return render(
        request, "institutions/detail.html", {"institution": institution, "majors": majors}
    )
