"""The bureau's ranking (排序) of one call category's applications by aggregated review
scores, with the calibrated score beside the raw ones and disagreement flagged, and its
Excel export; and the list of call categories that have review panels."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from vetq.core.excel import XLSX_CONTENT_TYPE
from vetq.programs.models import CallCategory

from ..models import Panel
from ..ranking import ranking_export, ranking_sheet
from ..rubrics import criterion_label
from .reviewing import require_bureau


def _call_category(pk: int) -> CallCategory:
    return get_object_or_404(
        CallCategory.objects.select_related("call__program", "category__program"), pk=pk
    )


@require_GET
@login_required
def ranking_index(request):
    """Every call category with a review panel, newest call first, with its review panels
    (a check panel's scores are on its check round's page)."""
    require_bureau(request.user)
    panels = list(
        Panel.objects.filter(check_round__isnull=True)
        .select_related("call_category__call", "call_category__category")
        .order_by("-call_category__call__year", "call_category__category__order", "created_at")
    )
    groups: dict[int, dict] = {}
    for panel in panels:
        group = groups.setdefault(panel.call_category_id,
                                  {"call_category": panel.call_category, "panels": []})
        group["panels"].append(panel)
    return render(request, "reviews/ranking/index.html", {"groups": list(groups.values())})


@require_GET
@login_required
def ranking(request, call_category_pk: int):
    """The ranking: rank, application, school, region, reviews, raw mean, trimmed mean,
    calibrated score, spread with a disagreement badge; per-criterion averages on demand."""
    require_bureau(request.user)
    call_category = _call_category(call_category_pk)
    sheet = ranking_sheet(call_category)
    criteria = [{"code": c["code"], "label": criterion_label(c)}
                for c in sheet.rubric.get("criteria", [])]
    for row in sheet.rows:
        row.criterion_rows = [(c["label"], row.criteria.get(c["code"])) for c in criteria]
    return render(request, "reviews/ranking/ranking.html", {
        "call_category": call_category,
        "sheet": sheet,
        "criteria": criteria,
        "trim_from": sheet.rules["trim_from"],
        "trim": sheet.rules["trim"],
        "threshold": sheet.rules["disagreement_spread"],
    })


@require_GET
@login_required
def ranking_export_view(request, call_category_pk: int):
    """The ranking as .xlsx."""
    require_bureau(request.user)
    call_category = _call_category(call_category_pk)
    content = ranking_export(ranking_sheet(call_category))
    filename = (f"ranking-{call_category.call.year}-{call_category.category.code}-"
                f"{timezone.localdate():%Y%m%d}.xlsx")
    return HttpResponse(content, content_type=XLSX_CONTENT_TYPE,
                        headers={"Content-Disposition": content_disposition_header(True, filename)})


urlpatterns = [
    path("ranking/", ranking_index, name="ranking_index"),
    path("ranking/<int:call_category_pk>/", ranking, name="ranking"),
    path("ranking/<int:call_category_pk>/export.xlsx", ranking_export_view, name="ranking_export"),
]
