"""Writing yearly data (R20, R32): the one service that saves checked rows of enrolment,
school resources, industry structure or exams, whether they came from a file, a form or the
API; and the bureau's year locks.

Saving a year replaces what it held: a school's enrolment or resources of the year, its exam
results of the kinds given, a region's (or the whole city's) industry figures. A locked year
refuses every change until the bureau unlocks it.
"""

from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vetq.accounts.roles import Role
from vetq.accounts.scoping import has_role, memberships, roles_of
from vetq.audit.services import audit_log
from vetq.core.excel import Sheet
from vetq.institutions.models import Institution
from vetq.notices.services import notice_send

from .errors import SurveyRefused
from .imports_rows import CheckedRows, rows_check
from .models import (
    DataImport,
    Dataset,
    Enrolment,
    ExamResult,
    IndustryFigure,
    SchoolResource,
    YearLock,
)

FIRST_YEAR = 2000
# The datasets entered here; graduate records have their own import (graduates_import.py).
YEARLY_DATASETS = (Dataset.ENROLMENT, Dataset.RESOURCES, Dataset.INDUSTRY, Dataset.EXAMS)
SCHOOL_DATASETS = (Dataset.ENROLMENT, Dataset.RESOURCES, Dataset.EXAMS)
VIA_FILE, VIA_FORM, VIA_API = "file", "form", "api"


def dataset_label(dataset: str) -> str:
    return str(Dataset(dataset).label)


def is_bureau(user) -> bool:
    return has_role(user, Role.BUREAU_ADMIN)


def own_school_ids(user) -> set[int]:
    return {m.institution_id for m in memberships(user) if m.role == Role.SCHOOL_USER}


def may_read(user) -> bool:
    """Yearly data pages are for the bureau, regions, schools and department viewers; what
    each reads is narrowed by accounts/scoping."""
    return bool(roles_of(user) & {Role.BUREAU_ADMIN, Role.REGION_OFFICER, Role.SCHOOL_USER,
                                  Role.DEPARTMENT_VIEWER})


def may_enter(user, dataset: str, institution: Institution | None = None) -> bool:
    """Whether `user` may enter `dataset`: the bureau any school's data and the industry
    structure; a school user its own school's enrolment, resources and exams."""
    if dataset not in YEARLY_DATASETS:
        return False
    if is_bureau(user):
        return True
    if dataset not in SCHOOL_DATASETS:
        return False
    own = own_school_ids(user)
    return bool(own) if institution is None else institution.pk in own


def entry_refusal(user, dataset: str, year: int, institution: Institution | None,
                  today: date | None = None) -> SurveyRefused | None:
    """Why `user` may not change `dataset` of `year` (for `institution`), or None."""
    if dataset not in YEARLY_DATASETS:
        return SurveyRefused(_("There is no such kind of yearly data."))
    if not may_enter(user, dataset, institution):
        if dataset not in SCHOOL_DATASETS:
            return SurveyRefused(_("Only the education bureau enters the industry structure."))
        if institution is not None and own_school_ids(user):
            return SurveyRefused(_("You may enter only your own school's data."))
        return SurveyRefused(_("Only the school itself or the education bureau may enter a "
                               "school's yearly data."))
    if not is_bureau(user) and institution is None and dataset in SCHOOL_DATASETS:
        return SurveyRefused(_("Choose your school."))
    today = today or timezone.localdate()
    if not FIRST_YEAR <= year <= today.year:
        return SurveyRefused(_("The year must be between %(first)d and %(last)d.")
                             % {"first": FIRST_YEAR, "last": today.year})
    if year_locked(dataset, year):
        return SurveyRefused(lock_message(dataset, year))
    return None


def year_locked(dataset: str, year: int) -> bool:
    return YearLock.objects.filter(dataset=dataset, year=year).exists()


def lock_message(dataset: str, year: int) -> str:
    return _("The %(year)d data of “%(dataset)s” are locked: the education bureau has checked "
             "them. Ask the bureau to unlock the year to change them.") % {
        "year": year, "dataset": dataset_label(dataset)}


@dataclass
class SaveResult:
    checked: CheckedRows
    written: int = 0
    replaced: int = 0
    data_import: DataImport | None = None

    @property
    def ok(self) -> bool:
        return not self.checked.errors


def replaced_rows(dataset: str, year: int, good: list[dict], *,
                  whole_school: Institution | None = None) -> QuerySet:
    """The rows held now that saving `good` would replace: those of the schools (regions) in
    `good`, and for exams only of the kinds in `good`; with `whole_school`, everything that
    school holds of the dataset for the year."""
    if whole_school is not None:
        model = {Dataset.ENROLMENT: Enrolment, Dataset.RESOURCES: SchoolResource,
                 Dataset.EXAMS: ExamResult}[dataset]
        return model.objects.filter(year=year, institution=whole_school)
    if dataset == Dataset.ENROLMENT:
        return Enrolment.objects.filter(
            year=year, institution_id__in={v["institution_id"] for v in good})
    if dataset == Dataset.RESOURCES:
        return SchoolResource.objects.filter(
            year=year, institution_id__in={v["institution_id"] for v in good})
    if dataset == Dataset.INDUSTRY:
        regions = {v["region_id"] for v in good}
        condition = Q(region_id__in=regions - {None})
        if None in regions:
            condition |= Q(region__isnull=True)
        return IndustryFigure.objects.filter(condition, year=year)
    condition = Q(pk__in=[])
    for school, kind in {(v["institution_id"], v["kind"]) for v in good}:
        condition |= Q(institution_id=school, kind=kind)
    return ExamResult.objects.filter(condition, year=year)


def _objects(dataset: str, year: int, good: list[dict]) -> list:
    fields = {key for key in good[0] if key not in ("row", "region_name", "figures")} if good \
        else set()
    if dataset == Dataset.RESOURCES:
        return [SchoolResource(institution_id=v["institution_id"], year=year, indicator=code,
                               value=value)
                for v in good for code, value in v["figures"].items()]
    model = {Dataset.ENROLMENT: Enrolment, Dataset.INDUSTRY: IndustryFigure,
             Dataset.EXAMS: ExamResult}[dataset]
    return [model(year=year, **{key: v[key] for key in fields}) for v in good]


def yearly_rows_save(*, dataset: str, year: int, sheet: Sheet, by,
                     institution: Institution | None = None, partial: bool = False,
                     whole_school: bool = False, via: str = VIA_FORM,
                     data_import: DataImport | None = None,
                     today: date | None = None) -> SaveResult:
    """Check the rows of `sheet` as `dataset` of `year` and, if every row is good (or
    `partial` and some are), replace what the year held for the schools (regions) in the good
    rows with them. With `institution` the rows are that school's only; with `whole_school`
    too (a form showing all of it) they replace all it held of the dataset that year, even
    when there are none.

    Refuses (SurveyRefused, nothing changed): a user who may not enter this data or this
    school's, a year outside 2000–this year, a locked year, and an upload already imported.
    Rows with errors come back in the result (nothing written unless `partial`). Writes
    the rows, the upload's counts, one audit entry, and a notice to a school whose data
    the bureau entered.
    """
    refusal = entry_refusal(by, dataset, year, institution, today)
    if refusal is not None:
        raise refusal
    with transaction.atomic():
        if data_import is not None:
            data_import = DataImport.objects.select_for_update().get(pk=data_import.pk)
            if data_import.rows_written:
                raise SurveyRefused(_("This file has already been imported."))
        if institution is not None:
            Institution.objects.select_for_update().filter(pk=institution.pk).first()
        if year_locked(dataset, year):  # locked while we waited
            raise SurveyRefused(lock_message(dataset, year))
        checked = rows_check(dataset, sheet, year=year, institution=institution)
        result = SaveResult(checked=checked, data_import=data_import)
        whole = institution if whole_school and dataset in SCHOOL_DATASETS else None
        if (checked.errors and not partial) or not (checked.good or whole):
            return result
        old = replaced_rows(dataset, year, checked.good, whole_school=whole)
        result.replaced = old.count()
        old.delete()
        objects = _objects(dataset, year, checked.good)
        if objects:
            type(objects[0]).objects.bulk_create(objects)
        result.written = len(checked.good)
        if via == VIA_API:
            data_import = DataImport.objects.create(dataset=dataset, year=year,
                                                    institution=institution, by=by)
        if data_import is not None:
            data_import.rows_written = result.written
            data_import.rows_refused = checked.refused_rows
            data_import.save(update_fields=["rows_written", "rows_refused"])
            result.data_import = data_import
        schools = sorted({v["institution_id"] for v in checked.good if "institution_id" in v}
                         | ({whole.pk} if whole else set()))
        audit_log(action=f"surveys.{dataset}.save", actor=by,
                  object_type="surveys.dataset", object_id=f"{dataset}:{year}",
                  object_repr=f"{dataset_label(dataset)} {year}",
                  after={"dataset": dataset, "year": year, "via": via,
                         "import": data_import.pk if data_import else None,
                         "schools": schools, "rows": result.written,
                         "refused": checked.refused_rows, "replaced": result.replaced})
        _entered_notice(dataset, year, schools, checked.good, by)
    return result


def _entered_notice(dataset: str, year: int, schools: list[int], good: list[dict], by) -> None:
    """Tell a school its data were entered by someone who does not act for it."""
    own = own_school_ids(by)
    users = get_user_model().objects.filter(is_active=True, memberships__role=Role.SCHOOL_USER)
    for school in (s for s in schools if s not in own):
        rows = sum(1 for v in good if v.get("institution_id") == school)
        recipients = list(users.filter(memberships__institution_id=school).distinct())
        if recipients:
            notice_send(users=recipients, kind="surveys.data_entered",
                        params={"dataset": _default_label(dataset), "year": year,
                                "rows": rows},
                        url=_school_url(school, year))


def _default_label(dataset: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return dataset_label(dataset)


def _school_url(school: int, year: int) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("surveys:data_school", args=[school, year])
    except NoReverseMatch:
        return ""


def _require_bureau(by, message: str) -> None:
    if not is_bureau(by):
        raise SurveyRefused(message)


def year_lock(*, dataset: str, year: int, by) -> YearLock:
    """Lock a year's data of one kind once the bureau has checked it: no import, form or
    API call changes it until unlocked. Refuses anyone but the bureau, an unknown dataset and
    a year already locked. Audited; the schools are told."""
    _require_bureau(by, _("Only the education bureau locks a year's data."))
    if dataset not in Dataset.values:
        raise SurveyRefused(_("There is no such kind of yearly data."))
    with transaction.atomic():
        existing = YearLock.objects.select_for_update().filter(dataset=dataset, year=year)
        if existing.exists():
            raise SurveyRefused(_("The %(year)d data of “%(dataset)s” are already locked.")
                                % {"year": year, "dataset": dataset_label(dataset)})
        lock = YearLock.objects.create(dataset=dataset, year=year, locked_by=by)
        audit_log(action="surveys.year_lock", actor=by, obj=lock,
                  after={"dataset": dataset, "year": year})
        _lock_notice("surveys.year_locked", dataset, year, {})
    return lock


def year_unlock(*, dataset: str, year: int, by, reason: str) -> None:
    """Unlock a locked year for corrections. Refuses anyone but the bureau, a missing reason
    and a year not locked. Audited with the reason; the schools are told."""
    _require_bureau(by, _("Only the education bureau unlocks a year's data."))
    reason = (reason or "").strip()
    if not reason:
        raise SurveyRefused(_("Say why the year is unlocked."))
    with transaction.atomic():
        lock = YearLock.objects.select_for_update().filter(dataset=dataset, year=year).first()
        if lock is None:
            raise SurveyRefused(_("The %(year)d data of “%(dataset)s” are not locked.")
                                % {"year": year, "dataset": dataset_label(dataset)})
        before = {"dataset": dataset, "year": year, "locked_by": lock.locked_by_id,
                  "locked_at": lock.locked_at.isoformat()}
        audit_log(action="surveys.year_unlock", actor=by, obj=lock, before=before,
                  after={"reason": reason})
        lock.delete()
        _lock_notice("surveys.year_unlocked", dataset, year, {"reason": reason})


def _lock_notice(kind: str, dataset: str, year: int, params: dict) -> None:
    """Schools enter enrolment, resources, exams and graduates: their users hear of locks."""
    if dataset == Dataset.INDUSTRY:
        return
    users = get_user_model().objects.filter(
        is_active=True, memberships__role=Role.SCHOOL_USER,
        memberships__institution__active=True).distinct()
    notice_send(users=list(users), kind=kind,
                params={"dataset": _default_label(dataset), "year": year, **params},
                url=_status_url(year))


def _status_url(year: int) -> str:
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse("surveys:data_status", args=[year])
    except NoReverseMatch:
        return ""
