"""The school's changes to a draft: its content (`application_update`) and its attachments.

Each function locks the application, refuses unless it is still a draft and the user acts
for its school, checks everything it is given before it writes anything, and audits.
"""

import re

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from vetq.accounts.roles import Role
from vetq.audit.services import audit_log
from vetq.core.uploads import UploadRefused, stored_file_create
from vetq.institutions.models import Enterprise

from .eligibility import Failure
from .forms_spec import clean_answers, clean_budget, label
from .models import Application, Attachment
from .services import Refused, acts_as
from .states import EDITABLE_STATES

TEXT_LIMITS = {"title": 150, "lead_name": 60, "lead_title": 60, "lead_phone": 30, "goals": 20000}
TEAM_KEYS = ("name", "title", "unit", "role")
ROW_TEXT_LIMIT = 100
MILESTONE_TEXT_LIMIT = 2000
MAX_ROWS = 100
# How far ahead of the call's year a milestone may be planned.
MILESTONE_YEARS_AHEAD = 10
# GB 32100-2015: the characters of a unified social credit code and its check weights.
CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
CREDIT_PATTERN = re.compile(f"^[{CREDIT_CHARS}]{{18}}$")


def _failure(message: str, **params) -> Failure:
    return Failure("invalid", message, params)


def credit_code_valid(code: str) -> bool:
    """Whether `code` is 18 characters of the code alphabet with a correct check character."""
    if not CREDIT_PATTERN.match(code):
        return False
    total = sum(CREDIT_CHARS.index(c) * w for c, w in zip(code[:17], CREDIT_WEIGHTS, strict=True))
    return code[17] == CREDIT_CHARS[(31 - total % 31) % 31]


def _locked(application: Application, by) -> Application:
    """The application locked for writing; refuses unless it is a draft of `by`'s school."""
    locked = (
        Application.objects.select_for_update(of=("self",))
        .select_related("call_category__call__program", "institution")
        .get(pk=application.pk)
    )
    if not acts_as(by, Role.SCHOOL_USER, locked):
        raise Refused([Failure("refused", N_("You do not act for this school."))])
    if locked.state not in EDITABLE_STATES:
        raise Refused([Failure(
            "refused", N_("This application is %(state)s; only a draft can be changed."),
            {"state": locked.get_state_display()},
        )])
    return locked


def _clean_rows(rows, keys) -> list[dict]:
    return [
        {k: str(row.get(k) or "").strip() for k in keys}
        for row in list(rows or [])[:MAX_ROWS]
        if isinstance(row, dict) and any(str(row.get(k) or "").strip() for k in keys)
    ]


def _clean_team(rows, failures: list[Failure]) -> list[dict]:
    team = _clean_rows(rows, TEAM_KEYS)
    if any(not member["name"] for member in team):
        failures.append(_failure(N_("Team: every member needs a name.")))
    if any(len(v) > ROW_TEXT_LIMIT for member in team for v in member.values()):
        failures.append(_failure(N_("Team: at most %(limit)s characters an entry."),
                                 limit=ROW_TEXT_LIMIT))
    return team


def _clean_milestones(rows, first_year: int, failures: list[Failure]) -> list[dict]:
    last_year = first_year + MILESTONE_YEARS_AHEAD
    milestones = []
    for row in _clean_rows(rows, ("year", "text")):
        try:
            year = int(row["year"])
        except ValueError:
            year = None
        if year is None or not first_year <= year <= last_year:
            failures.append(_failure(
                N_("Milestones: enter a year from %(first)s to %(last)s."),
                first=first_year, last=last_year,
            ))
        elif not row["text"]:
            failures.append(_failure(N_("Milestones: describe what is done in %(year)s."),
                                     year=year))
        elif len(row["text"]) > MILESTONE_TEXT_LIMIT:
            failures.append(_failure(N_("Milestones: at most %(limit)s characters an entry."),
                                     limit=MILESTONE_TEXT_LIMIT))
        else:
            milestones.append({"year": year, "text": row["text"]})
    return sorted(milestones, key=lambda m: m["year"])


def _ids(values) -> set[int] | None:
    try:
        return {int(v) for v in values or []}
    except (TypeError, ValueError):
        return None


def _clean_links(application: Application, data: dict, failures: list[Failure]) -> dict:
    """Majors of the school's own, industries of the program, existing enterprises."""
    need = application.form.get("category", {})
    choices = {
        "majors": (application.institution.majors.filter(active=True),
                   N_("Majors: choose majors of your own school."), need.get("majors")),
        "industries": (application.call_category.call.program.industries.all(),
                       N_("Industries: choose industries of the program."), None),
        "enterprises": (Enterprise.objects.all(),
                        N_("Partner enterprises: choose enterprises from the list."),
                        need.get("enterprises")),
    }
    clean = {}
    for name, (queryset, message, needed) in choices.items():
        if name not in data:
            continue
        wanted = _ids(data[name])
        if wanted and needed == "none":
            wanted = None
        if wanted is None or queryset.filter(pk__in=wanted).count() != len(wanted):
            failures.append(_failure(message))
        else:
            clean[name] = sorted(wanted)
    return clean


def _clean_new_enterprise(raw: dict | None, failures: list[Failure]) -> dict | None:
    raw = raw or {}
    name = str(raw.get("name") or "").strip()
    code = str(raw.get("credit_code") or "").strip().upper()
    if not name and not code:
        return None
    if not name:
        failures.append(_failure(N_("New enterprise: give its name.")))
        return None
    if len(name) > 150:
        failures.append(_failure(N_("New enterprise: at most %(limit)s characters."), limit=150))
        return None
    if code and not credit_code_valid(code):
        failures.append(_failure(
            N_("New enterprise: “%(code)s” is not a valid unified social credit code."), code=code,
        ))
        return None
    holder = Enterprise.objects.filter(credit_code=code).first() if code else None
    if holder is not None and holder.name != name:
        failures.append(_failure(N_("New enterprise: the credit code %(code)s belongs to %(name)s."),
                                 code=code, name=holder.name))
        return None
    named = Enterprise.objects.filter(name=name).exclude(credit_code=None).first()
    if code and named is not None and named.credit_code != code:
        failures.append(_failure(
            N_("New enterprise: %(name)s is already recorded with the credit code %(code)s."),
            name=name, code=named.credit_code,
        ))
        return None
    return {"name": name, "credit_code": code}


def application_changes_clean(application: Application, data: dict) -> tuple[dict, list[Failure]]:
    """Check `data` against the application's own form copy. Returns (clean changes, failures).

    Only the keys present in `data` are checked and would change: the text fields, team,
    milestones, budget, answers, majors, industries, enterprises and new_enterprise.
    """
    failures: list[Failure] = []
    clean: dict = {}
    for key, limit in TEXT_LIMITS.items():
        if key not in data:
            continue
        text = str(data[key] or "").strip()
        if len(text) > limit:
            failures.append(_failure(N_("%(field)s: at most %(limit)s characters."),
                                     field=Application._meta.get_field(key).verbose_name,
                                     limit=limit))
        clean[key] = text
    if "title" in clean and not clean["title"]:
        failures.append(_failure(N_("Required: %(field)s."), field=_("project title")))
    if "team" in data:
        clean["team"] = _clean_team(data["team"], failures)
    if "milestones" in data:
        clean["milestones"] = _clean_milestones(
            data["milestones"], application.call_category.call.year, failures
        )
    if "budget" in data:
        rows = [row for row in data["budget"] or [] if isinstance(row, dict)]
        clean["budget"], errors = clean_budget(application.form, rows)
        if len({row.get("item") for row in rows}) != len(rows):
            errors.append(_("Each budget item at most once."))
        failures.extend(_failure(N_("Budget plan: %(error)s"), error=e) for e in errors)
    if "answers" in data:
        clean["answers"], errors = clean_answers(application.form, dict(data["answers"] or {}))
        labels = {f["key"]: label(f) for f in application.form.get("fields", [])}
        failures.extend(_failure(N_("%(field)s: %(error)s"), field=labels[key], error=error)
                        for key, error in errors.items())
    clean.update(_clean_links(application, data, failures))
    if "new_enterprise" in data:
        clean["new_enterprise"] = _clean_new_enterprise(data["new_enterprise"], failures)
    return clean, failures


def _snapshot(application: Application) -> dict:
    """The top-level content as the audit log records it."""
    values = {key: getattr(application, key) for key in (*TEXT_LIMITS, "team", "milestones",
                                                          "budget", "answers")}
    values["majors"] = sorted(application.majors.values_list("catalogue_code", flat=True))
    values["industries"] = sorted(application.industries.values_list("code", flat=True))
    values["enterprises"] = sorted(application.enterprises.values_list("name", flat=True))
    return values


@transaction.atomic
def application_update(*, application: Application, by, data: dict) -> Application:
    """Change a draft's content to `data` (see `application_changes_clean` for the keys).

    Refuses (Refused, nothing written) unless the application is a draft and `by` acts for
    its school, and when any value fails its check. Creates a newly named partner
    enterprise. Audits the changed top-level fields with their values before and after.
    """
    locked = _locked(application, by)
    clean, failures = application_changes_clean(locked, data)
    if failures:
        raise Refused(failures)
    before = _snapshot(locked)
    for key in (*TEXT_LIMITS, "team", "milestones", "budget", "answers"):
        if key in clean:
            setattr(locked, key, clean[key])
    locked.save()
    for name in ("majors", "industries"):
        if name in clean:
            getattr(locked, name).set(clean[name])
    enterprises = set(clean.get("enterprises", locked.enterprises.values_list("pk", flat=True)))
    new = clean.get("new_enterprise")
    if new:
        enterprise, created = Enterprise.objects.get_or_create(
            name=new["name"], defaults={"credit_code": new["credit_code"] or None}
        )
        if created:
            audit_log(action="enterprise.create", actor=by, obj=enterprise,
                      after={"name": enterprise.name, "credit_code": enterprise.credit_code})
        enterprises.add(enterprise.pk)
    if "enterprises" in clean or new:
        locked.enterprises.set(enterprises)
    after = _snapshot(locked)
    changed = [key for key in after if after[key] != before[key]]
    if changed:
        audit_log(action="application.update", actor=by, obj=locked,
                  before={k: before[k] for k in changed}, after={k: after[k] for k in changed})
    return locked


def attachment_add(*, application: Application, slot: str, upload, by) -> Attachment:
    """Store an upload as one of the draft's attachments under a slot of its form.

    Refuses (Refused) outside a draft of `by`'s school or for an unknown slot; refuses
    (UploadRefused) a file that is not a document by content, larger than the per-file cap,
    or that would take the application past its total (settings.VETQ_APPLICATION_MAX_BYTES).
    """
    with transaction.atomic():
        locked = _locked(application, by)
        if slot not in {s["code"] for s in locked.form.get("attachments", [])}:
            raise Refused([Failure("refused", N_("Choose the kind of attachment."))])
        used = locked.attachments.aggregate(total=Sum("file__size"))["total"] or 0
        limit = settings.VETQ_APPLICATION_MAX_BYTES
        if used + (getattr(upload, "size", 0) or 0) > limit:
            raise UploadRefused(
                _("The attachments of one application may total at most %(limit)s.")
                % {"limit": f"{limit / (1024 * 1024):g} MB"}
            )
        stored = stored_file_create(upload=upload, by=by)
        attachment = Attachment.objects.create(application=locked, slot=slot, file=stored)
        audit_log(action="application.attachment_add", actor=by, obj=locked,
                  after={"slot": slot, "file": stored.original_name, "size": stored.size,
                         "sha256": stored.sha256})
    return attachment


def attachment_delete(*, attachment: Attachment, by) -> None:
    """Remove an attachment of a draft of `by`'s school, with its stored file."""
    with transaction.atomic():
        locked = _locked(attachment.application, by)
        stored = attachment.file
        audit_log(action="application.attachment_delete", actor=by, obj=locked,
                  before={"slot": attachment.slot, "file": stored.original_name,
                          "sha256": stored.sha256})
        attachment.delete()
        stored.delete()
        name, storage = stored.file.name, stored.file.storage
        transaction.on_commit(lambda: storage.delete(name))
