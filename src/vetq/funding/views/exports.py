"""Downloads for the finance bureau: the payment schedule and the ledger as Excel, over the
grants the user may see; and one grant's notice (立项及经费下达通知) in Word, for the bureau
and the grant's paying finance officer."""

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from vetq.accounts import scoping
from vetq.accounts.roles import Role
from vetq.core.excel import XLSX_CONTENT_TYPE

from ..exports import ExportFilters, ledger_export, schedule_export
from ..notice import DOCX_TYPE, notice_content, notice_docx, notice_file_name


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _grants(request):
    if not request.user.has_perm("funding.view"):
        raise PermissionDenied
    return scoping.grants_for(request.user)


@login_required
@require_GET
def schedule(request):
    """Every live tranche of the user's grants; GET `payer` ("city" or a region code) and
    `year` (of the due date) narrow it."""
    today = timezone.localdate()
    content = schedule_export(_grants(request), ExportFilters.from_query(request.GET), today)
    return _xlsx(content, f"payment-schedule-{today:%Y%m%d}.xlsx")


@login_required
@require_GET
def ledger(request):
    """Every ledger entry of the user's grants; GET `payer` and `year` (of the date)."""
    today = timezone.localdate()
    content = ledger_export(_grants(request), ExportFilters.from_query(request.GET))
    return _xlsx(content, f"payment-ledger-{today:%Y%m%d}.xlsx")


@login_required
@require_GET
def grant_notice(request, pk: int):
    """The grant's 立项及经费下达通知; outside the user's grants a 404, and within them only the
    bureau and the finance officer of the grant's payer may print it."""
    grant = get_object_or_404(
        scoping.grants_for(request.user).select_related(
            "application", "program", "category", "institution", "payer_region",
        ),
        pk=pk,
    )
    if not (scoping.has_role(request.user, Role.BUREAU_ADMIN)
            or scoping.pays_for(request.user, grant)):
        raise PermissionDenied
    tranches = list(grant.tranches.filter(withheld_at__isnull=True).order_by("seq"))
    content = notice_docx(notice_content(grant, tranches, timezone.localdate()))
    return FileResponse(io.BytesIO(content), as_attachment=True,
                        filename=notice_file_name(grant), content_type=DOCX_TYPE)


urlpatterns = [
    path("export/schedule.xlsx", schedule, name="schedule_export"),
    path("export/ledger.xlsx", ledger, name="ledger_export"),
    path("grants/<int:pk>/notice.docx", grant_notice, name="grant_notice"),
]
