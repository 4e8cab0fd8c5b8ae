"""Year locks and the one save service: who may lock, what a lock refuses, the audit rows
and notices, and the replace rules of forms."""

import pytest

from tests.factories import UserFactory, membership
from tests.surveys.data.conftest import ENROLMENT_HEADER, YEAR, workbook_upload
from vetq.audit.models import AuditEntry
from vetq.core.excel import Sheet, SheetRow
from vetq.notices.models import Notice
from vetq.surveys.data import year_lock, year_unlock, yearly_rows_save
from vetq.surveys.errors import SurveyRefused
from vetq.surveys.imports import data_import_confirm, data_import_upload
from vetq.surveys.imports_specs import SPECS
from vetq.surveys.models import Enrolment, ExamResult, YearLock

pytestmark = pytest.mark.integration
LOCKED = ("The 2019 data of “Enrolment and graduates” are locked: the education bureau has "
          "checked them. Ask the bureau to unlock the year to change them.")


def sheet(dataset, *rows):
    return Sheet(rows=[SheetRow(n, values) for n, values in enumerate(rows, start=1)],
                 headers=SPECS[dataset].headers)


def test_only_the_bureau_locks_and_unlocks_with_audit_and_notices(bureau_user, school_user,
                                                                  officer):
    for user in (school_user, officer):
        with pytest.raises(SurveyRefused) as refusal:
            year_lock(dataset="enrolment", year=YEAR, by=user)
        assert str(refusal.value) == "Only the education bureau locks a year's data."
    lock = year_lock(dataset="enrolment", year=YEAR, by=bureau_user)
    assert (lock.dataset, lock.year, lock.locked_by) == ("enrolment", YEAR, bureau_user)
    with pytest.raises(SurveyRefused) as refusal:
        year_lock(dataset="enrolment", year=YEAR, by=bureau_user)
    assert str(refusal.value) == "The 2019 data of “Enrolment and graduates” are already locked."
    assert Notice.objects.get(user=school_user).kind == "surveys.year_locked"
    with pytest.raises(SurveyRefused) as refusal:
        year_unlock(dataset="enrolment", year=YEAR, by=bureau_user, reason=" ")
    assert str(refusal.value) == "Say why the year is unlocked."
    with pytest.raises(SurveyRefused):
        year_unlock(dataset="enrolment", year=YEAR, by=school_user, reason="x")
    year_unlock(dataset="enrolment", year=YEAR, by=bureau_user, reason="学校更正招生数")
    assert not YearLock.objects.exists()
    entries = list(AuditEntry.objects.filter(action__startswith="surveys.year_")
                   .order_by("id").values_list("action", "after"))
    assert entries == [("surveys.year_lock", {"dataset": "enrolment", "year": YEAR}),
                       ("surveys.year_unlock", {"reason": "学校更正招生数"})]
    assert sorted(Notice.objects.filter(user=school_user).values_list("kind", flat=True)) == [
        "surveys.year_locked", "surveys.year_unlocked"]


def test_a_locked_year_refuses_upload_form_and_a_pending_import(bureau_user, school,
                                                                 school_user, majors):
    file = workbook_upload(ENROLMENT_HEADER, [school.code, "660301", 1, 2, 0])
    pending = data_import_upload(dataset="enrolment", year=YEAR, file=file, by=school_user,
                                 institution=school)
    year_lock(dataset="enrolment", year=YEAR, by=bureau_user)
    with pytest.raises(SurveyRefused) as refusal:
        data_import_confirm(data_import=pending, by=school_user)
    assert str(refusal.value) == LOCKED
    file.seek(0)
    with pytest.raises(SurveyRefused) as refusal:
        data_import_upload(dataset="enrolment", year=YEAR, file=file, by=school_user,
                           institution=school)
    assert str(refusal.value) == LOCKED
    with pytest.raises(SurveyRefused) as refusal:
        yearly_rows_save(dataset="enrolment", year=YEAR, by=bureau_user, institution=school,
                         sheet=sheet("enrolment", {"catalogue_code": "660301", "enrolled": "1",
                                                   "students": "2", "graduates": "0"}))
    assert str(refusal.value) == LOCKED
    assert Enrolment.objects.count() == 0
    # Another kind of data, or another year, is not locked.
    yearly_rows_save(dataset="enrolment", year=2018, by=bureau_user, institution=school,
                     sheet=sheet("enrolment", {"catalogue_code": "660301", "enrolled": "1",
                                               "students": "2", "graduates": "0"}))
    assert Enrolment.objects.count() == 1


def test_the_bureau_entering_a_schools_data_tells_the_school(bureau_user, school, school_user,
                                                            majors):
    result = yearly_rows_save(
        dataset="enrolment", year=YEAR, by=bureau_user, institution=school,
        sheet=sheet("enrolment", {"catalogue_code": "660301", "enrolled": "1", "students": "2",
                                  "graduates": "0"}))
    assert result.written == 1
    notice = Notice.objects.get(user=school_user)
    assert (notice.kind, notice.params["year"], notice.params["rows"]) == (
        "surveys.data_entered", YEAR, 1)
    entry = AuditEntry.objects.get(action="surveys.enrolment.save")
    assert entry.after["schools"] == [school.pk]
    assert entry.after["via"] == "form"


def test_a_school_saving_its_own_data_is_not_told(school, school_user, majors):
    yearly_rows_save(dataset="enrolment", year=YEAR, by=school_user, institution=school,
                     sheet=sheet("enrolment", {"catalogue_code": "660301", "enrolled": "1",
                                               "students": "2", "graduates": "0"}))
    assert not Notice.objects.exists()


def test_who_may_enter_what(school, other_school, school_user, officer, majors):
    row = {"catalogue_code": "660301", "enrolled": "1", "students": "2", "graduates": "0"}
    cases = [
        (school_user, other_school, "enrolment", "You may enter only your own school's data."),
        (officer, school, "enrolment", "Only the school itself or the education bureau may "
                                       "enter a school's yearly data."),
        (school_user, None, "industry", "Only the education bureau enters the industry "
                                        "structure."),
        (school_user, None, "enrolment", "Choose your school."),
        (school_user, school, "graduates", "There is no such kind of yearly data."),
    ]
    for user, institution, dataset, message in cases:
        with pytest.raises(SurveyRefused) as refusal:
            yearly_rows_save(dataset=dataset, year=YEAR, by=user, institution=institution,
                             sheet=sheet("enrolment", row))
        assert str(refusal.value) == message
    viewer = UserFactory(username="viewer")
    membership(viewer, "bureau_admin")
    with pytest.raises(SurveyRefused) as refusal:
        yearly_rows_save(dataset="enrolment", year=2999, by=viewer, institution=school,
                         sheet=sheet("enrolment", row))
    assert str(refusal.value).startswith("The year must be between 2000 and ")


def test_a_form_replaces_all_the_schools_exam_results_even_with_none_left(
        school, school_user, majors):
    ExamResult.objects.create(institution=school, year=YEAR, kind="skill", subject="钳工",
                              candidates=10, passed=9, excellent=1)
    ExamResult.objects.create(institution=school, year=YEAR, kind="academic", subject="语文",
                              candidates=10, passed=9, excellent=1)
    result = yearly_rows_save(
        dataset="exams", year=YEAR, by=school_user, institution=school, whole_school=True,
        sheet=sheet("exams", {"kind": "学业水平考试", "subject": "数学", "candidates": "5",
                              "passed": "5", "excellent": ""}))
    assert (result.written, result.replaced) == (1, 2)
    assert list(ExamResult.objects.values_list("subject", flat=True)) == ["数学"]
    emptied = yearly_rows_save(dataset="exams", year=YEAR, by=school_user, institution=school,
                               whole_school=True, sheet=sheet("exams"))
    assert (emptied.written, emptied.replaced) == (0, 1)
    assert not ExamResult.objects.exists()


def test_an_import_replaces_only_the_exam_kinds_it_holds(school, school_user):
    ExamResult.objects.create(institution=school, year=YEAR, kind="skill", subject="钳工",
                              candidates=10, passed=9, excellent=1)
    yearly_rows_save(dataset="exams", year=YEAR, by=school_user, institution=school,
                     sheet=sheet("exams", {"kind": "academic", "subject": "语文",
                                           "candidates": "5", "passed": "4"}))
    assert sorted(ExamResult.objects.values_list("kind", "subject")) == [
        ("academic", "语文"), ("skill", "钳工")]
