"""The public pages of the draws (no sign-in; fair-review.md §2): every announced draw, one
draw's notice and, once performed, its public value, seed and result, the draw file to
download, and a page where anyone re-runs a draw file and sees whether it matches.

Experts appear by code only: no name, employer or contact is ever on these pages. A draft
panel has no draw, so it does not exist here (404)."""

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from vetq.institutions.models import Industry

from .. import draw as draw_algorithm
from .. import panel_queries
from ..conflicts import REASONS
from ..forms_panels import VERIFY_MAX_BYTES, VerifyForm
from ..models import Draw

PAGE_SIZE = 50


@require_safe
def draw_list(request):
    """Announced and performed draws, newest first."""
    page = Paginator(panel_queries.draws_public(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "reviews/public/draw_list.html", {"page": page})


@require_safe
def draw_detail(request, pk: int):
    """One draw: the notice (digest, value named, pool codes, applications, conflict pairs as
    codes and reasons, rules) and, once performed, the value, seed, panel, reserves and
    assignment."""
    record = get_object_or_404(
        Draw.objects.select_related("panel__call_category__call", "panel__call_category__category"),
        pk=pk)
    inputs = record.inputs
    applications = panel_queries.applications_of(a["id"] for a in inputs.get("applications", []))
    listed = [(a, applications.get(a["id"])) for a in inputs.get("applications", [])]
    groups = panel_queries.conflicts_grouped(inputs, with_names=False)
    reasons_used = sorted({code for g in groups for row in g.rows for code in row.reasons})
    context = {
        "draw": record, "panel": record.panel, "inputs": inputs,
        "summary": panel_queries.notice_summary(inputs),
        "applications": listed, "conflicts": groups,
        "reasons": [(code, _(REASONS.get(code, code))) for code in reasons_used],
        "industry_names": dict(Industry.objects.values_list("code", "name")),
    }
    if record.performed:
        by_application: dict[int, list[str]] = {}
        for app_id, code in record.result.get("assignment", []):
            by_application.setdefault(app_id, []).append(code)
        context["assigned"] = [(a, applications.get(a["id"]), by_application.get(a["id"], []))
                               for a in inputs.get("applications", [])]
    return render(request, "reviews/public/draw_detail.html", context)


@require_safe
def draw_file(request, pk: int):
    """The draw file as JSON, as `draws verify` reads it."""
    record = get_object_or_404(Draw, pk=pk)
    body = draw_algorithm.document_bytes(panel_queries.draw_export(record))
    filename = f"draw-{record.pk}-{record.inputs_digest[:12]}.json"
    return HttpResponse(body, content_type="application/json; charset=utf-8",
                        headers={"Content-Disposition": content_disposition_header(True, filename)})


def _declared_length(request) -> int:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0


@require_http_methods(["GET", "POST"])
def draw_verify(request):
    """Upload a draw file; the draw is re-run from the file alone and the page says whether
    it matches, line by line."""
    verification = None
    status = 200
    if request.method == "POST" and _declared_length(request) > VERIFY_MAX_BYTES + 65536:
        # Refused before the body is read, so a huge upload never reaches the disk.
        refusal = _("The file is larger than %(limit)s MB; a draw file is far smaller.") % {
            "limit": VERIFY_MAX_BYTES // (1024 * 1024)}
        return render(request, "reviews/public/draw_verify.html",
                      {"form": VerifyForm(), "verification": None, "refusal": refusal}, status=413)
    form = VerifyForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            try:
                verification = draw_algorithm.verify(form.cleaned_data["file"])
            except Exception:  # noqa: BLE001 — a crafted file must get a kind answer, not a 500
                form.add_error("file", _("This file could not be read as a draw file."))
                status = 400
        else:
            status = 400
    return render(request, "reviews/public/draw_verify.html",
                  {"form": form, "verification": verification}, status=status)


urlpatterns = [
    path("draws/", draw_list, name="draw_list"),
    path("draws/verify/", draw_verify, name="draw_verify"),
    path("draws/<int:pk>/", draw_detail, name="draw_detail"),
    path("draws/<int:pk>/file.json", draw_file, name="draw_file"),
]
