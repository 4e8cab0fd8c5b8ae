"""Call pages (申报通知): the bureau creates, publishes, closes, extends calls and edits their
quotas and attachments; every signed-in user reads the published ones. Thin: reads go
through calls.calls_for, writes through the calls.py services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from rules.contrib.views import permission_required

from vetq.accounts.scoping import own_institutions
from vetq.applications.states import ApplicationState
from vetq.core.uploads import UploadRefused, stored_file_response

from . import calls
from .forms import (
    CallAttachmentForm,
    CallForm,
    ExtendForm,
    QuotaForm,
    ReasonForm,
    category_rows,
    quotas_of,
)
from .models import Call, CallAttachment, CallCategory, CallState, Program
from .queries import current_program

MANAGE = "calls.manage"


@require_GET
@login_required
def call_list(request):
    """The calls the user may read, newest first: the bureau every call, others the
    published and closed ones."""
    rows = calls.calls_for(request.user).annotate(
        category_count=Count("call_categories"), quota_total=Sum("call_categories__quota")
    )
    return render(request, "calls/list.html",
                  {"calls": rows, "can_manage": request.user.has_perm(MANAGE)})


def _year(request, program: Program) -> int:
    """The year asked for, else the first year from now on that has no call yet."""
    asked = request.GET.get("year", "")
    if asked.isdigit() and int(asked) in program.years:
        return int(asked)
    taken = set(program.calls.values_list("year", flat=True))
    free = [year for year in program.years if year not in taken] or list(program.years)
    this_year = timezone.localdate().year
    return next((year for year in free if year >= this_year), free[-1])


@require_http_methods(["GET", "POST"])
@permission_required(MANAGE, raise_exception=True)
def call_new(request):
    """A new draft call. Each active category comes prefilled: open with the target left
    spread over the years left (default_quota), and the policy's per-school cap."""
    program = current_program()
    if program is None:
        raise Http404
    approved = Count(
        "call_categories__applications",
        filter=Q(call_categories__applications__state=ApplicationState.APPROVED),
    )
    categories = list(program.categories.filter(active=True).annotate(approved=approved)
                      .order_by("order", "code"))
    data = request.POST if request.method == "POST" else None
    form = CallForm(data, program=program, initial={"year": _year(request, program)})
    valid = data is not None and form.is_valid()
    # A posted form's rows keep what was typed; the caption names the year it was typed for.
    year = getattr(form, "cleaned_data", {}).get("year") or form["year"].initial
    rows = category_rows(categories, year=year, data=data,
                         approved={category.pk: category.approved for category in categories})
    if valid and all(row.is_valid() for row in rows):
        fields = form.cleaned_data
        try:
            call = calls.call_create(
                program=program, year=fields["year"], title=fields["title"], notice=fields["notice"],
                **form.deadlines(), **quotas_of(rows), by=request.user,
            )
        except calls.CallRefused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("The call is saved as a draft. Publish it when it is ready."))
            return redirect("calls:detail", call.pk)
    template = "calls/_category_rows.html" if request.htmx and data is None else "calls/create.html"
    return render(request, template, {"program": program, "form": form, "rows": rows, "year": year})


def _apply_urls(user, call: Call, call_categories) -> dict[int, str]:
    """Where a school user may apply: open categories its type of school is eligible for."""
    types = {institution.type for institution in own_institutions(user)}
    if not types or not call.is_open_for_submission(timezone.now()):
        return {}
    return {
        cc.pk: reverse("applications:create", args=[cc.pk])
        for cc in call_categories
        if types.intersection(cc.category.eligible_types)
    }


def _detail(request, call: Call, bound: dict | None = None):
    """The call page; `bound` holds a posted form that failed, to show with its errors."""
    bound = bound or {}
    can_manage = request.user.has_perm(MANAGE)
    call_categories = list(call.call_categories.select_related("category").order_by("category__order"))
    context = {
        "call": call,
        "can_manage": can_manage,
        "attachments": list(call.attachments.select_related("file").order_by("pk")),
    }
    if can_manage:
        rows = [{"cc": cc, "quota_form": bound.get(cc.pk) or QuotaForm(call_category=cc)}
                for cc in call_categories]
        context.update(
            close_form=bound.get("close") or ReasonForm(),
            extend_form=bound.get("extend") or ExtendForm(initial={
                "submission_deadline": call.submission_deadline,
                "recommendation_deadline": call.recommendation_deadline,
                "formal_check_deadline": call.formal_check_deadline,
            }),
            attachment_form=bound.get("attachment") or CallAttachmentForm(),
            is_draft=call.state == CallState.DRAFT,
            is_open=call.state == CallState.PUBLISHED,
        )
    else:
        apply_urls = _apply_urls(request.user, call, call_categories)
        rows = [{"cc": cc, "apply_url": apply_urls.get(cc.pk)} for cc in call_categories]
    context["rows"] = rows
    return render(request, "calls/detail.html", context)


@require_GET
@login_required
def call_detail(request, pk: int):
    """A call's notice, deadlines, categories and attachments; a draft only for the bureau."""
    return _detail(request, get_object_or_404(calls.calls_for(request.user), pk=pk))


def _managed(pk: int) -> Call:
    return get_object_or_404(Call.objects.select_related("program"), pk=pk)


def _perform(request, call: Call, change, done: str):
    """Run one service call; a refusal becomes a message and nothing changes."""
    try:
        change()
    except (calls.CallRefused, UploadRefused) as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, done)
    return redirect("calls:detail", call.pk)


@require_POST
@permission_required(MANAGE, raise_exception=True)
def call_publish(request, pk: int):
    call = _managed(pk)
    return _perform(request, call, lambda: calls.call_publish(call=call, by=request.user),
                    _("The call is open and shown on the public portal."))


@require_POST
@permission_required(MANAGE, raise_exception=True)
def call_close(request, pk: int):
    call = _managed(pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        return _detail(request, call, {"close": form})
    return _perform(
        request, call,
        lambda: calls.call_close(call=call, by=request.user, reason=form.cleaned_data["reason"]),
        _("The call is closed: no more applications can be submitted."),
    )


@require_POST
@permission_required(MANAGE, raise_exception=True)
def call_extend(request, pk: int):
    call = _managed(pk)
    form = ExtendForm(request.POST)
    if not form.is_valid():
        return _detail(request, call, {"extend": form})
    return _perform(
        request, call,
        lambda: calls.call_extend(call=call, by=request.user, reason=form.cleaned_data["reason"],
                                  **form.deadlines()),
        _("The deadlines are extended."),
    )


@require_POST
@permission_required(MANAGE, raise_exception=True)
def call_quota(request, pk: int, call_category_pk: int):
    call = _managed(pk)
    call_category = get_object_or_404(
        CallCategory.objects.select_related("category"), pk=call_category_pk, call=call
    )
    form = QuotaForm(request.POST, call_category=call_category)
    if not form.is_valid():
        return _detail(request, call, {call_category.pk: form})
    return _perform(
        request, call,
        lambda: calls.call_set_quota(call_category=call_category, by=request.user, **form.cleaned_data),
        _("The quota of %(category)s is saved.") % {"category": call_category.category.name},
    )


@require_POST
@permission_required(MANAGE, raise_exception=True)
def call_attachment_add(request, pk: int):
    call = _managed(pk)
    form = CallAttachmentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _detail(request, call, {"attachment": form})
    return _perform(
        request, call,
        lambda: calls.call_attachment_add(call=call, upload=form.cleaned_data["file"], by=request.user),
        _("The attachment is added."),
    )


@require_POST
@permission_required(MANAGE, raise_exception=True)
def call_attachment_remove(request, pk: int, attachment_pk: int):
    call = _managed(pk)
    attachment = get_object_or_404(CallAttachment.objects.select_related("file"),
                                   pk=attachment_pk, call=call)
    return _perform(request, call,
                    lambda: calls.call_attachment_remove(attachment=attachment, by=request.user),
                    _("The attachment is removed."))


@require_GET
def call_attachment(request, pk: int, attachment_pk: int):
    """Download a notice attachment: anyone for a published or closed call, only the bureau
    for a draft. Served as an attachment, never inline."""
    attachment = get_object_or_404(
        CallAttachment.objects.select_related("file"),
        pk=attachment_pk, call_id=pk, call__in=calls.calls_for(request.user),
    )
    return stored_file_response(attachment.file)
