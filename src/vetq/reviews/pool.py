"""Every write to the expert pool (专家库, R24): experts, their employment history and
declared conflicts, their accounts, and the bureau's rating of their work in a panel.

Each service checks who acts and what the rules allow, then changes the rows and writes the
audit entry in one transaction; a refusal raises `PoolRefused` (its message in the active
language) and changes nothing. New declarations and employment changes can create conflicts
with applications an expert already reviews; `panels.assignments_recheck` replaces those.
"""

import re
from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vetq.accounts.models import User
from vetq.accounts.roles import Role
from vetq.accounts.scoping import has_role
from vetq.accounts.services import membership_grant
from vetq.audit.services import audit_log
from vetq.institutions.models import Enterprise, Industry, Institution, Region

from .models import Declaration, Employment, Expert
from .panels import assignments_recheck

CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9_-]{0,19}$")
MAJOR_GROUP_PATTERN = re.compile(r"^[0-9]{2}$")
# What an expert may change in its own profile; the rest is the bureau's.
SELF_FIELDS = frozenset({"title", "phone", "email", "specialties", "major_groups"})
PROFILE_FIELDS = frozenset({"code", "name", "title", "phone", "email", "employer_institution",
                            "employer_enterprise", "region", "specialties", "major_groups"})
_LENGTHS = {"name": 60, "title": 60, "phone": 30, "email": 254, "position": 60, "person": 60}


class PoolRefused(Exception):
    """A change to the pool the rules do not allow; the message says why. Nothing changed."""

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.message = message
        self.field = field  # the form field the refusal is about, when there is one


# Who acts ---------------------------------------------------------------------------------

def is_bureau(user) -> bool:
    return has_role(user, Role.BUREAU_ADMIN)


def is_self(user, expert: Expert) -> bool:
    """Whether `user` is the expert's own account acting as an expert."""
    return (getattr(user, "is_authenticated", False) and expert.user_id == user.pk
            and has_role(user, Role.EXPERT))


def _require_bureau(by) -> None:
    if not is_bureau(by):
        raise PoolRefused(_("Only the education bureau may do this."))


def _require_bureau_or_self(by, expert: Expert) -> None:
    if not (is_bureau(by) or is_self(by, expert)):
        raise PoolRefused(_("Only the education bureau or the expert itself may do this."))


# Values -----------------------------------------------------------------------------------

def code_normalise(code: str) -> str:
    return (code or "").strip().upper()


def code_check(code: str) -> str:
    """The code in its stored form (upper case), or refuse one that is not a code."""
    code = code_normalise(code)
    if not code:
        raise PoolRefused(_("Enter the expert's code."), "code")
    if not CODE_PATTERN.match(code):
        raise PoolRefused(_("An expert code is 1 to 20 letters, digits, “-” or “_”, such as "
                            "E0042."), "code")
    return code


def major_groups_check(values: Iterable[str]) -> list[str]:
    """Two-digit major group codes, sorted, each once; refuse anything else."""
    groups = set()
    for value in values:
        value = str(value).strip()
        if not MAJOR_GROUP_PATTERN.match(value):
            raise PoolRefused(_("A major group is a two-digit code of the catalogue, such as 46: "
                                "“%(value)s” is not.") % {"value": value}, "major_groups")
        groups.add(value)
    return sorted(groups)


def text_check(value: str | None, field: str, *, required: bool = False, label: str = "") -> str:
    value = (value or "").strip()
    if required and not value:
        raise PoolRefused(_("Required: %(field)s.") % {"field": label or field}, field)
    if len(value) > _LENGTHS[field]:
        raise PoolRefused(_("At most %(count)d characters: %(field)s.")
                          % {"count": _LENGTHS[field], "field": label or field}, field)
    return value


def email_check(value: str | None) -> str:
    value = text_check(value, "email")
    if value:
        try:
            validate_email(value)
        except ValidationError as error:
            raise PoolRefused(_("“%(value)s” is not an e-mail address.") % {"value": value},
                              "email") from error
    return value


def _one_employer(institution: Institution | None, enterprise: Enterprise | None,
                  field: str = "employer_institution") -> None:
    if institution is not None and enterprise is not None:
        raise PoolRefused(_("Name one employer: a school or an enterprise, not both."), field)
    if institution is None and enterprise is None:
        raise PoolRefused(_("Name the employer: a school or an enterprise."), field)


def _snapshot(expert: Expert) -> dict:
    return {
        "code": expert.code,
        "name": expert.name,
        "title": expert.title,
        "phone": expert.phone,
        "email": expert.email,
        "employer": _employer_key(expert.employer_institution, expert.employer_enterprise),
        "region": expert.region.code if expert.region_id else None,
        "specialties": sorted(expert.specialties.values_list("code", flat=True))
        if expert.pk else [],
        "major_groups": list(expert.major_groups),
        "active": expert.active,
        "user": expert.user.get_username() if expert.user_id else None,
    }


def _employer_key(institution, enterprise) -> str | None:
    """The employer as conflicts.py names it: "inst:<code>" or "ent:<credit code or name>"."""
    if institution is not None:
        return f"inst:{institution.code}"
    if enterprise is not None:
        return f"ent:{enterprise.credit_code or enterprise.name}"
    return None


def _recheck(expert: Expert, by) -> None:
    """Replace the expert's live assignments that a new declaration or job made conflicting."""
    assignments_recheck(expert=expert, by=by)


# Experts ----------------------------------------------------------------------------------

@transaction.atomic
def expert_create(*, by, code: str, name: str, employer_institution: Institution | None = None,
                  employer_enterprise: Enterprise | None = None, region: Region | None = None,
                  title: str = "", phone: str = "", email: str = "",
                  specialties: Iterable[Industry] = (), major_groups: Iterable[str] = (),
                  active: bool = True) -> Expert:
    """Add an expert to the pool; its region defaults to its employer's.

    Refuses anyone but the bureau, a code that is malformed or already taken, a blank or
    too long name, no employer or two, an invalid e-mail address or major group.
    """
    _require_bureau(by)
    code = code_check(code)
    if Expert.objects.filter(code__iexact=code).exists():
        raise PoolRefused(_("The code %(code)s is already taken.") % {"code": code}, "code")
    _one_employer(employer_institution, employer_enterprise)
    employer = employer_institution or employer_enterprise
    expert = Expert(
        code=code, name=text_check(name, "name", required=True, label=_("name")),
        title=text_check(title, "title"), phone=text_check(phone, "phone"), email=email_check(email),
        employer_institution=employer_institution, employer_enterprise=employer_enterprise,
        region=region or employer.region, major_groups=major_groups_check(major_groups),
        active=active,
    )
    try:
        with transaction.atomic():
            expert.save()
    except IntegrityError as error:  # a concurrent create took the code
        raise PoolRefused(_("The code %(code)s is already taken.") % {"code": code},
                          "code") from error
    expert.specialties.set(list(specialties))
    audit_log(action="expert.create", actor=by, obj=expert, after=_snapshot(expert))
    return expert


@transaction.atomic
def expert_update(*, expert: Expert, by, **changes) -> Expert:
    """Change an expert's profile: the bureau any of `PROFILE_FIELDS`, the expert itself only
    its title, phone, e-mail, specialties and major groups.

    A new employer moves the old one into the employment history (ended today) and rechecks
    the expert's live assignments. Refuses other users, fields they may not change, a code
    that is taken or (once the expert has sat on a panel) changed at all, and the values
    `expert_create` refuses.
    """
    unknown = set(changes) - PROFILE_FIELDS
    if unknown:
        raise TypeError(f"expert_update got unknown fields: {sorted(unknown)}")
    if is_bureau(by):
        allowed = PROFILE_FIELDS
    elif is_self(by, expert):
        allowed = SELF_FIELDS
    else:
        raise PoolRefused(_("Only the education bureau or the expert itself may do this."))
    forbidden = set(changes) - allowed
    if forbidden:
        raise PoolRefused(_("An expert may change only its title, phone, e-mail, specialties "
                            "and major groups."), sorted(forbidden)[0])
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    before = _snapshot(expert)
    old_employer = (expert.employer_institution, expert.employer_enterprise)
    if "code" in changes:
        code = code_check(changes["code"])
        if code != expert.code:
            if Expert.objects.filter(code__iexact=code).exclude(pk=expert.pk).exists():
                raise PoolRefused(_("The code %(code)s is already taken.") % {"code": code},
                                  "code")
            if expert.panel_seats.exists():
                raise PoolRefused(_("The code cannot change: draws have published it."), "code")
            expert.code = code
    if "name" in changes:
        expert.name = text_check(changes["name"], "name", required=True, label=_("name"))
    for field in ("title", "phone"):
        if field in changes:
            setattr(expert, field, text_check(changes[field], field))
    if "email" in changes:
        expert.email = email_check(changes["email"])
    if "employer_institution" in changes or "employer_enterprise" in changes:
        institution = changes.get("employer_institution", expert.employer_institution)
        enterprise = changes.get("employer_enterprise", expert.employer_enterprise)
        _one_employer(institution, enterprise)
        expert.employer_institution, expert.employer_enterprise = institution, enterprise
        if "region" not in changes and (institution, enterprise) != old_employer:
            expert.region = (institution or enterprise).region
    if "region" in changes:
        expert.region = changes["region"] or expert.employer.region
    if "major_groups" in changes:
        expert.major_groups = major_groups_check(changes["major_groups"])
    expert.save()
    if "specialties" in changes:
        expert.specialties.set(list(changes["specialties"]))
    after = _snapshot(expert)
    if after == before:
        return expert
    employer_changed = (expert.employer_institution, expert.employer_enterprise) != old_employer
    if employer_changed and any(old_employer):
        _close_old_job(expert, *old_employer)
    audit_log(action="expert.update", actor=by, obj=expert, before=before, after=after)
    if employer_changed:
        _recheck(expert, by)
    return expert


def _close_old_job(expert: Expert, institution, enterprise) -> None:
    """The employer the expert left becomes a past job ended today (the 3-year rule reads it)."""
    today = timezone.localdate()
    open_jobs = expert.employments.filter(institution=institution, enterprise=enterprise,
                                          ended__isnull=True)
    if open_jobs.exists():
        open_jobs.update(ended=today)
    else:
        Employment.objects.create(expert=expert, institution=institution, enterprise=enterprise,
                                  position=expert.title, ended=today)


@transaction.atomic
def expert_deactivate(*, expert: Expert, by, reason: str = "") -> Expert:
    """Take an expert out of future draws (its past panels and reviews stay). Refuses anyone
    but the bureau and an expert already out of the pool."""
    _require_bureau(by)
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    if not expert.active:
        raise PoolRefused(_("This expert is already out of the pool."))
    expert.active = False
    expert.save(update_fields=["active"])
    audit_log(action="expert.deactivate", actor=by, obj=expert, before={"active": True},
              after={"active": False, "reason": reason.strip()})
    return expert


@transaction.atomic
def expert_activate(*, expert: Expert, by) -> Expert:
    """Bring an expert back into the pool. Refuses anyone but the bureau and an active expert."""
    _require_bureau(by)
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    if expert.active:
        raise PoolRefused(_("This expert is already in the pool."))
    expert.active = True
    expert.save(update_fields=["active"])
    audit_log(action="expert.activate", actor=by, obj=expert, before={"active": False},
              after={"active": True})
    return expert


@transaction.atomic
def expert_link_user(*, expert: Expert, by, user: User | None = None, username: str = "") -> User:
    """Give an expert its account: an existing `user`, or a new one named `username` with no
    password (the expert sets one through password reset, to its e-mail). The account gets
    the expert role.

    Refuses anyone but the bureau, an expert that already has an account, an account that
    already belongs to another expert, and a new username that is blank or taken.
    """
    _require_bureau(by)
    expert = Expert.objects.select_for_update().get(pk=expert.pk)
    if expert.user_id is not None:
        raise PoolRefused(_("This expert already has an account (%(username)s).")
                          % {"username": expert.user.get_username()})
    if user is None:
        username = (username or "").strip()
        if not username:
            raise PoolRefused(_("Enter a username."), "username")
        if User.objects.filter(username__iexact=username).exists():
            raise PoolRefused(_("The username %(username)s is taken.") % {"username": username},
                              "username")
        user = User(username=username, full_name=expert.name, email=expert.email,
                    phone=expert.phone)
        user.set_unusable_password()
        user.save()
    elif Expert.objects.filter(user=user).exists():
        raise PoolRefused(_("The account %(username)s already belongs to another expert.")
                          % {"username": user.get_username()}, "username")
    expert.user = user
    expert.save(update_fields=["user"])
    membership_grant(user=user, role=Role.EXPERT, by=by)
    audit_log(action="expert.link_user", actor=by, obj=expert,
              after={"user": user.get_username()})
    return user


# Employment history -----------------------------------------------------------------------

def _dates_check(started: date | None, ended: date | None) -> None:
    if ended is not None and ended > timezone.localdate():
        raise PoolRefused(_("The end date cannot be in the future."), "ended")
    if started is not None and ended is not None and started > ended:
        raise PoolRefused(_("The start date must not be after the end date."), "started")


@transaction.atomic
def employment_add(*, expert: Expert, by, institution: Institution | None = None,
                   enterprise: Enterprise | None = None, position: str = "",
                   started: date | None = None, ended: date | None = None) -> Employment:
    """Record a job of the expert (past, or current when `ended` is empty) and recheck its
    live assignments. Refuses users other than the bureau and the expert itself, no employer
    or two, an end in the future and a start after the end."""
    _require_bureau_or_self(by, expert)
    _one_employer(institution, enterprise, "institution")
    _dates_check(started, ended)
    employment = Employment.objects.create(
        expert=expert, institution=institution, enterprise=enterprise,
        position=text_check(position, "position"), started=started, ended=ended,
    )
    audit_log(action="expert.employment_add", actor=by, obj=expert, after=_job(employment))
    _recheck(expert, by)
    return employment


@transaction.atomic
def employment_end(*, employment: Employment, by, ended: date) -> Employment:
    """Set the end of a job the expert still holds and recheck its live assignments. Refuses
    users other than the bureau and the expert itself, a job already ended, an end in the
    future or before the start."""
    employment = Employment.objects.select_for_update().select_related("expert").get(
        pk=employment.pk)
    expert = employment.expert
    _require_bureau_or_self(by, expert)
    if employment.ended is not None:
        raise PoolRefused(_("This job has already ended."), "ended")
    if ended is None:
        raise PoolRefused(_("Required: %(field)s.") % {"field": _("end date")}, "ended")
    if ended > timezone.localdate():
        raise PoolRefused(_("The end date cannot be in the future."), "ended")
    if employment.started is not None and ended < employment.started:
        raise PoolRefused(_("The end date must not be before the start date."), "ended")
    before = _job(employment)
    employment.ended = ended
    employment.save(update_fields=["ended"])
    audit_log(action="expert.employment_end", actor=by, obj=expert, before=before,
              after=_job(employment))
    _recheck(expert, by)
    return employment


def _job(employment: Employment) -> dict:
    return {
        "employment": employment.pk,
        "employer": _employer_key(employment.institution, employment.enterprise),
        "position": employment.position,
        "started": employment.started.isoformat() if employment.started else None,
        "ended": employment.ended.isoformat() if employment.ended else None,
    }


# Declared conflicts -----------------------------------------------------------------------

@transaction.atomic
def declaration_add(*, expert: Expert, by, reason: str, institution: Institution | None = None,
                    enterprise: Enterprise | None = None, person: str = "") -> Declaration:
    """Declare a conflict of the expert with one school, enterprise or person, and recheck its
    live assignments. Refuses users other than the bureau and the expert itself, a
    declaration that names no one or more than one, a blank reason, and a conflict already
    declared and not withdrawn."""
    _require_bureau_or_self(by, expert)
    person = text_check(person, "person")
    named = [value for value in (institution, enterprise, person) if value]
    if not named:
        raise PoolRefused(_("Name the school, enterprise or person you conflict with."),
                          "institution")
    if len(named) > 1:
        raise PoolRefused(_("Name one school, enterprise or person per declaration."),
                          "institution")
    reason = (reason or "").strip()
    if not reason:
        raise PoolRefused(_("Required: %(field)s.") % {"field": _("reason")}, "reason")
    Expert.objects.select_for_update().filter(pk=expert.pk).first()  # one declarer at a time
    live = expert.declarations.filter(withdrawn_at__isnull=True)
    if (institution and live.filter(institution=institution).exists()
            or enterprise and live.filter(enterprise=enterprise).exists()
            or person and live.filter(person=person).exists()):
        raise PoolRefused(_("This conflict is already declared."), "institution")
    declaration = Declaration.objects.create(expert=expert, institution=institution,
                                             enterprise=enterprise, person=person, reason=reason)
    audit_log(action="expert.declaration_add", actor=by, obj=expert, after=_declared(declaration))
    _recheck(expert, by)
    return declaration


@transaction.atomic
def declaration_withdraw(*, declaration: Declaration, by) -> Declaration:
    """Withdraw a declared conflict (future draws may pair them again; nothing already
    replaced comes back). Refuses users other than the bureau and the expert itself, and a
    declaration already withdrawn."""
    declaration = Declaration.objects.select_for_update().select_related("expert").get(
        pk=declaration.pk)
    _require_bureau_or_self(by, declaration.expert)
    if declaration.withdrawn_at is not None:
        raise PoolRefused(_("This declaration has already been withdrawn."))
    declaration.withdrawn_at = timezone.now()
    declaration.save(update_fields=["withdrawn_at"])
    audit_log(action="expert.declaration_withdraw", actor=by, obj=declaration.expert,
              before=_declared(declaration))
    return declaration


def _declared(declaration: Declaration) -> dict:
    if declaration.institution_id:
        named = f"inst:{declaration.institution.code}"
    elif declaration.enterprise_id:
        named = _employer_key(None, declaration.enterprise)
    else:
        named = f"person:{declaration.person}"
    return {"declaration": declaration.pk, "named": named, "reason": declaration.reason}
