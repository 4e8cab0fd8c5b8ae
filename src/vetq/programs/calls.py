"""Calls (申报通知): create with default quotas, publish, close early, extend, notice
attachments. Every change is audited with its before and after. Also the reads the call
pages and the portal share (which calls a user may see)."""

from datetime import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vetq.audit.services import audit_log
from vetq.core.uploads import (
    DOC,
    DOCX,
    PDF,
    XLS,
    XLSX,
    UploadRefused,
    inspect,
    read_capped,
    stored_file_create,
)

from .models import Call, CallAttachment, CallCategory, CallState, Category, Program

# A notice's attachments are documents and forms to fill in: no images.
NOTICE_ATTACHMENT_KINDS = frozenset({PDF, DOCX, XLSX, DOC, XLS})
PUBLIC_STATES = (CallState.PUBLISHED, CallState.CLOSED)


class CallRefused(Exception):
    """A call change the rules do not allow; the message says why. Nothing was changed."""


def default_quota(category: Category, year: int, *, approved_so_far: int = 0) -> int | None:
    """Spread what is left of the category's target evenly over the years left, rounding up.

    A category without a target has no default quota (the bureau sets one).
    """
    program = category.program
    if category.target is None:
        return None
    years_left = max(program.period_end - max(year, program.period_start) + 1, 1)
    remaining = max(category.target - approved_so_far, 0)
    return -(-remaining // years_left)


def _deadlines_in_order(submission: datetime, recommendation: datetime, formal: datetime) -> None:
    if not (submission <= recommendation <= formal):
        raise CallRefused(_("Deadlines must come in order: submission, recommendation, formal check."))


def _snapshot(call: Call) -> dict:
    return {
        "state": call.state,
        "submission_deadline": call.submission_deadline.isoformat(),
        "recommendation_deadline": call.recommendation_deadline.isoformat(),
        "formal_check_deadline": call.formal_check_deadline.isoformat(),
        "quotas": {cc.category.code: cc.quota for cc in call.call_categories.all()},
    }


@transaction.atomic
def call_create(*, program: Program, year: int, title: str, notice: str,
                submission_deadline: datetime, recommendation_deadline: datetime,
                formal_check_deadline: datetime, quotas: dict[str, int], by,
                per_school_caps: dict[str, int | None] | None = None,
                per_region_caps: dict[str, int | None] | None = None) -> Call:
    """A draft call for one year of the program with a quota for each open category.
    Refuses a year outside the program, deadlines out of order, a second call for the year,
    an unknown category and a quota that is not a positive whole number."""
    if not program.period_start <= year <= program.period_end:
        raise CallRefused(_("The year must lie within the program's period."))
    _deadlines_in_order(submission_deadline, recommendation_deadline, formal_check_deadline)
    if Call.objects.filter(program=program, year=year).exists():
        raise CallRefused(_("There is already a call for %(year)s.") % {"year": year})
    if not quotas:
        raise CallRefused(_("Open at least one category."))
    categories = {c.code: c for c in program.categories.filter(active=True)}
    for code, quota in quotas.items():
        if code not in categories:
            raise CallRefused(_("Unknown category %(code)s.") % {"code": code})
        if not isinstance(quota, int) or quota < 1:
            raise CallRefused(_("A quota must be a whole number of at least 1."))
    call = Call.objects.create(
        program=program, year=year, title=title.strip(), notice=notice,
        submission_deadline=submission_deadline,
        recommendation_deadline=recommendation_deadline,
        formal_check_deadline=formal_check_deadline,
    )
    CallCategory.objects.bulk_create([
        CallCategory(
            call=call, category=categories[code], quota=quota,
            # A cap the bureau gave (even "none") wins over the policy's default.
            per_school_cap=(per_school_caps[code] if per_school_caps and code in per_school_caps
                            else categories[code].form.get("per_school_cap")),
            per_region_cap=(per_region_caps or {}).get(code),
        )
        for code, quota in quotas.items()
    ])
    audit_log(action="call.create", actor=by, obj=call, after=_snapshot(call))
    return call


def _locked(call: Call) -> Call:
    return Call.objects.select_for_update().get(pk=call.pk)


@transaction.atomic
def call_publish(*, call: Call, by) -> Call:
    """Open a draft call: it appears on the portal and schools may apply until its deadline."""
    call = _locked(call)
    if call.state != CallState.DRAFT:
        raise CallRefused(_("Only a draft call can be published."))
    if call.submission_deadline <= timezone.now():
        raise CallRefused(_("The submission deadline has already passed; extend it first."))
    before = _snapshot(call)
    call.state = CallState.PUBLISHED
    call.published_at = timezone.now()
    call.save(update_fields=["state", "published_at"])
    audit_log(action="call.publish", actor=by, obj=call, before=before, after=_snapshot(call))
    return call


@transaction.atomic
def call_close(*, call: Call, by, reason: str) -> Call:
    """Close an open call early: no more submissions; recommendation and formal check go on."""
    call = _locked(call)
    if call.state != CallState.PUBLISHED:
        raise CallRefused(_("Only an open call can be closed."))
    if not reason.strip():
        raise CallRefused(_("Please give a reason."))
    before = _snapshot(call)
    now = timezone.now()
    call.state = CallState.CLOSED
    call.closed_at = now
    call.submission_deadline = min(call.submission_deadline, now)
    call.save(update_fields=["state", "closed_at", "submission_deadline"])
    audit_log(action="call.close", actor=by, obj=call, before=before,
              after={**_snapshot(call), "reason": reason.strip()})
    return call


@transaction.atomic
def call_extend(*, call: Call, by, reason: str, submission_deadline: datetime,
                recommendation_deadline: datetime, formal_check_deadline: datetime) -> Call:
    """Move a call's deadlines later (never earlier: that would shut out schools already
    working to the published dates). A closed call extended past now opens again."""
    call = _locked(call)
    if not reason.strip():
        raise CallRefused(_("Please give a reason."))
    _deadlines_in_order(submission_deadline, recommendation_deadline, formal_check_deadline)
    if (submission_deadline < call.submission_deadline
            or recommendation_deadline < call.recommendation_deadline
            or formal_check_deadline < call.formal_check_deadline):
        raise CallRefused(_("An extension can only move deadlines later."))
    before = _snapshot(call)
    call.submission_deadline = submission_deadline
    call.recommendation_deadline = recommendation_deadline
    call.formal_check_deadline = formal_check_deadline
    fields = ["submission_deadline", "recommendation_deadline", "formal_check_deadline"]
    if call.state == CallState.CLOSED and submission_deadline > timezone.now():
        call.state = CallState.PUBLISHED
        call.closed_at = None
        fields += ["state", "closed_at"]
    call.save(update_fields=fields)
    audit_log(action="call.extend", actor=by, obj=call, before=before,
              after={**_snapshot(call), "reason": reason.strip()})
    return call


@transaction.atomic
def call_set_quota(*, call_category: CallCategory, quota: int, by,
                   per_school_cap: int | None = None, per_region_cap: int | None = None) -> CallCategory:
    """Change a category's quota or caps in a call; audited."""
    if not isinstance(quota, int) or quota < 1:
        raise CallRefused(_("A quota must be a whole number of at least 1."))
    locked = CallCategory.objects.select_for_update().get(pk=call_category.pk)
    before = {"quota": locked.quota, "per_school_cap": locked.per_school_cap,
              "per_region_cap": locked.per_region_cap}
    locked.quota, locked.per_school_cap, locked.per_region_cap = quota, per_school_cap, per_region_cap
    locked.save(update_fields=["quota", "per_school_cap", "per_region_cap"])
    audit_log(action="call.quota", actor=by, obj=locked.call, before=before,
              after={"category": locked.category.code, "quota": quota,
                     "per_school_cap": per_school_cap, "per_region_cap": per_region_cap})
    return locked


@transaction.atomic
def call_attachment_add(*, call: Call, upload, by) -> CallAttachment:
    """Attach a PDF, Word or Excel file to a call's notice; audited.
    Refuses (UploadRefused) any other kind, judged by content, and a file over the size cap;
    then nothing is stored."""
    if inspect(read_capped(upload, settings.VETQ_UPLOAD_MAX_BYTES)) not in NOTICE_ATTACHMENT_KINDS:
        raise UploadRefused(_("Only PDF, Word and Excel files can be attached to a notice."))
    stored = stored_file_create(upload=upload, by=by, allowed=NOTICE_ATTACHMENT_KINDS)
    attachment = CallAttachment.objects.create(call=call, file=stored)
    audit_log(action="call.attachment_add", actor=by, obj=call,
              after={"file": stored.original_name, "sha256": stored.sha256, "size": stored.size})
    return attachment


@transaction.atomic
def call_attachment_remove(*, attachment: CallAttachment, by) -> None:
    """Take an attachment off a call's notice and delete its stored file; audited.
    The file leaves the storage only once the removal is committed."""
    stored = attachment.file
    before = {"file": stored.original_name, "sha256": stored.sha256, "size": stored.size}
    storage, name = stored.file.storage, stored.file.name
    call = attachment.call
    attachment.delete()
    stored.delete()
    transaction.on_commit(lambda: storage.delete(name))
    audit_log(action="call.attachment_remove", actor=by, obj=call, before=before)


def public_calls() -> QuerySet[Call]:
    """Published and closed calls: what the portal shows. A draft is the bureau's work."""
    return Call.objects.select_related("program").filter(state__in=PUBLIC_STATES)


def calls_for(user) -> QuerySet[Call]:
    """Calls a user may read: the bureau every call, anyone else the public ones."""
    if user is not None and user.has_perm("calls.manage"):
        return Call.objects.select_related("program")
    return public_calls()


def with_categories(queryset: QuerySet[Call]) -> QuerySet[Call]:
    """The calls with their open categories (in policy order) read in one more query."""
    return queryset.prefetch_related(
        Prefetch(
            "call_categories",
            queryset=CallCategory.objects.select_related("category").order_by("category__order"),
        )
    )
