"""The graduate import (R33): messy sheets become row errors, the good rows are written only on
confirmation, a re-import replaces a school's cohort at a point, locked cohorts are refused,
and the uploaded file (which holds identity numbers) is deleted once it has served."""

import io
from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from tests.surveys.employment.conftest import HEADER, TODAY, identities, identity, row, upload
from vetq.audit.models import AuditEntry
from vetq.core.models import StoredFile
from vetq.surveys.errors import SurveyRefused
from vetq.surveys.graduates_import import (
    graduates_cancel,
    graduates_confirm,
    graduates_file_check,
    graduates_template,
    graduates_upload,
    pending_purge,
    sheet_rows,
)
from vetq.surveys.models import DataImport, GraduateRecord, YearLock
from vetq.surveys.pseudonyms import pseudonym

pytestmark = pytest.mark.integration

A, B = "3202130901", "3202820901"


def _check(user, *rows, header=True, **options):
    rows = (HEADER, *rows) if header else rows
    pending = graduates_upload(file=upload(*rows, **options), by=user)
    return pending, graduates_file_check(data_import=pending, by=user, today=TODAY)


def _errors(check) -> list[tuple]:
    return [(e.row, e.column, e.reason) for e in check.errors]


def test_a_good_sheet_is_checked_then_imported_and_its_file_deleted(
        bureau_user, schools, django_capture_on_commit_callbacks):
    numbers = identities(3)
    pending, check = _check(
        bureau_user,
        row(A, number=numbers[0]),
        row(A, "710201", number=numbers[1], destination="升学", in_field="", location="",
            contract="", pay="", satisfaction="很满意"),
        row(B, number=numbers[2], destination="自主创业", contract="", pay="6200",
            satisfaction="无法评价"),
    )
    assert (check.rows, len(check.good), check.errors) == (3, 3, [])
    assert [(g.institution.code, g.cohort, g.point, g.rows, g.existing) for g in check.groups] == [
        (A, 2018, "half_year", 2, 0), (B, 2018, "half_year", 1, 0)]
    assert GraduateRecord.objects.count() == 0  # nothing written by the check
    stored = pending.file
    path = stored.file.path

    with django_capture_on_commit_callbacks(execute=True):
        done = graduates_confirm(data_import=pending, by=bureau_user, today=TODAY)

    assert (done.rows_written, done.rows_refused, done.year, done.file_id) == (3, 0, 2018, None)
    first = GraduateRecord.objects.get(person=pseudonym(numbers[0]))
    assert (first.institution.code, first.major.catalogue_code, first.cohort, first.point,
            first.destination, first.in_field, first.location, first.contract,
            first.starting_pay, first.satisfaction, first.employer_satisfaction) == (
        A, "660101", 2018, "half_year", "employed", True, "local", True, Decimal("4500.00"), 3,
        None)
    studying = GraduateRecord.objects.get(person=pseudonym(numbers[1]))
    assert (studying.destination, studying.in_field, studying.location, studying.satisfaction) == (
        "further_study", None, "", 4)
    own = GraduateRecord.objects.get(person=pseudonym(numbers[2]))
    assert (own.destination, own.contract, own.starting_pay, own.satisfaction) == (
        "self_employed", None, Decimal("6200.00"), None)
    assert not StoredFile.objects.filter(pk=stored.pk).exists()
    assert not stored.file.storage.exists(path)
    entry = AuditEntry.objects.get(action="graduates.import")
    assert entry.after == {"rows_written": 3, "rows_refused": 0, "replaced": 0, "groups": [
        [A, 2018, "half_year", 2, 0], [B, 2018, "half_year", 1, 0]]}


def test_messy_cells_become_row_errors_with_row_and_column(bureau_user, schools):
    numbers = identities(12)
    bad_check = numbers[3][:17] + ("0" if numbers[3][17] != "0" else "1")
    _pending, check = _check(
        bureau_user,
        ["2018届毕业生就业跟踪表"],  # a title above the header
        HEADER,
        row(A, number=numbers[0], pay="85%"),                                      # row 3
        [],                                                                         # blank
        row("9999999999", number=numbers[1]),                                      # row 5
        row(A, "123456", number=numbers[2]),                                       # row 6
        row(A, number=bad_check),                                                  # row 7
        row(A, number=float(numbers[4][:15])),                                     # row 8
        row(A, number=numbers[5], destination="待就业", in_field="是", pay=4000),  # row 9
        row(A, number=numbers[6], destination="自主创业", contract="是"),          # row 10
        row(A, number=numbers[7], satisfaction="基本满意"),                        # row 11
        row(A, number=numbers[8], cohort="=2017+1"),                               # row 12
        row(A, number=numbers[9], point="毕业五年后"),                            # row 13
        row(A, number=numbers[9]),                                                 # row 14
        row(A, number=numbers[10], cohort=2024, point="毕业三年后"),              # row 15
        # Full-width digits, a 2018届 cohort, a code for the point, pay with a comma: good.
        row("３２０２１３０９０１", "６６０１０１", "2018届", "half_year",
            numbers[11].replace("1", "１"), pay="4,800"),                           # row 16
        title="跟踪表", header=False,
    )
    assert _errors(check) == [
        (3, "月收入（元）", "Write the monthly pay in yuan, like 4500, not a percentage."),
        (5, "学校代码", "Unknown school code “9999999999”."),
        (6, "专业代码", "3202130901 has no major with catalogue code “123456”; add it under "
                        "Institutions first."),
        (7, "身份证号", "The identity number's last character does not match the others (check "
                        f"digit); it has probably been mistyped. ({bad_check[:4]}**********"
                        f"{bad_check[-4:]})"),
        (8, "身份证号", "The identity number was typed as a number, and Excel keeps only 15 "
                        "digits of a number: format the column as text and type the numbers "
                        "again."),
        (9, "专业对口", "Leave this blank: the graduate is not in work."),
        (9, "就业地点", "Leave this blank: the graduate is not in work."),
        (9, "签订劳动合同", "Leave this blank: only employees sign a labour contract."),
        (9, "月收入（元）", "Leave this blank: the graduate is not in work."),
        (10, "签订劳动合同", "Leave this blank: only employees sign a labour contract."),
        (11, "对母校满意度", "Write 很满意, 满意, 不满意, 很不满意 or 无法评价 (or 4, 3, 2, 1); "
                             "blank means not asked."),
        (12, "毕业年份", "This column is required."),
        (13, "跟踪时点", "“毕业五年后” is not accepted here; write one of: 毕业时、毕业半年后、"
                         "毕业一年后、毕业三年后."),
        (15, "跟踪时点", "The 2024 cohort has not reached this tracking point yet (from "
                         "2027-06-01)."),
    ]
    assert [(g.number, g.cohort, g.point, g.pay) for g in check.good] == [
        (14, 2018, "half_year", Decimal("4500")), (16, 2018, "half_year", Decimal("4800"))]
    assert check.rows_refused == 11


def test_errors_are_sorted_by_column_within_a_row(bureau_user, schools):
    _pending, check = _check(bureau_user, row(A, number="123", pay="abc", cohort=""))
    assert [e.column for e in check.errors] == ["毕业年份", "身份证号", "月收入（元）"]
    assert check.errors[1].reason == ("An identity number is 18 characters: 17 digits and a "
                                      "digit or X. (***)")


def test_the_same_graduate_twice_for_a_cohort_and_point_is_refused(bureau_user, schools):
    number = identity(5)
    _pending, check = _check(bureau_user, row(A, number=number), row(B, number=number),
                             row(A, number=number, point="毕业一年后"))
    assert _errors(check) == [(3, "身份证号", "The same graduate (3202**********"
                                             f"{number[-4:]}) is already on row 2 for this "
                                             "cohort and tracking point.")]
    assert len(check.good) == 2  # the one-year record of the same person is fine


def test_the_data_may_sit_on_another_sheet_than_the_first(bureau_user, schools):
    _pending, check = _check(bureau_user, row(A), extra_sheets=(("说明", [["填写说明"]]),))
    assert (len(check.good), check.sheet) == (1, "毕业生")


def test_a_workbook_without_the_header_is_refused(bureau_user, schools):
    pending = graduates_upload(file=upload(["姓名", "学号"], ["张三", "1"]), by=bureau_user)
    with pytest.raises(SurveyRefused) as refusal:
        graduates_file_check(data_import=pending, by=bureau_user, today=TODAY)
    assert str(refusal.value) == (
        "No sheet has the header row of the graduate template; these columns are missing: "
        "专业代码、毕业年份、跟踪时点、身份证号、毕业去向.")


def test_a_file_that_is_not_a_workbook_is_refused_and_not_stored(bureau_user, schools):
    with pytest.raises(SurveyRefused) as refusal:
        graduates_upload(file=SimpleUploadedFile("graduates.xlsx", b"name,id\n"), by=bureau_user)
    assert str(refusal.value) == "The file is not an Excel workbook (.xlsx)."
    assert (StoredFile.objects.count(), DataImport.objects.count()) == (0, 0)


def test_a_school_imports_its_own_graduates_only(school_a_user, schools):
    numbers = identities(3)
    pending, check = _check(school_a_user, row("", number=numbers[0]), row(A, number=numbers[1]),
                            row(B, number=numbers[2]))
    assert _errors(check) == [(4, "学校代码", "You may import only your own school's graduates.")]
    graduates_confirm(data_import=pending, by=school_a_user, today=TODAY)
    assert set(GraduateRecord.objects.values_list("institution__code", flat=True)) == {A}


def test_only_the_bureau_and_schools_may_import(region_officer, schools):
    with pytest.raises(SurveyRefused) as refusal:
        graduates_upload(file=upload(HEADER, row(A)), by=region_officer)
    assert str(refusal.value) == "Only the education bureau and schools may import graduate records."
    assert DataImport.objects.count() == 0


def test_a_reimport_replaces_the_schools_cohort_at_that_point_only(bureau_user, schools):
    numbers = identities(6)
    first, _check_ = _check(bureau_user, row(A, number=numbers[0]), row(A, number=numbers[1]),
                            row(A, number=numbers[2]),
                            row(A, number=numbers[3], point="毕业一年后"),
                            row(B, number=numbers[4]))
    graduates_confirm(data_import=first, by=bureau_user, today=TODAY)
    second, check = _check(bureau_user, row(A, number=numbers[1], destination="待就业",
                                           in_field="", location="", contract="", pay=""),
                           row(A, number=numbers[5]))
    assert [(g.institution.code, g.rows, g.existing) for g in check.groups] == [(A, 2, 3)]

    graduates_confirm(data_import=second, by=bureau_user, today=TODAY)

    half_year_a = GraduateRecord.objects.filter(institution__code=A, point="half_year")
    assert sorted(half_year_a.values_list("person", "destination")) == sorted([
        (pseudonym(numbers[1]), "not_employed"), (pseudonym(numbers[5]), "employed")])
    assert GraduateRecord.objects.filter(institution__code=A, point="one_year").count() == 1
    assert GraduateRecord.objects.filter(institution__code=B).count() == 1
    assert AuditEntry.objects.filter(action="graduates.import").order_by("pk").last().after["replaced"] == 3


def test_a_graduate_another_school_recorded_is_refused(bureau_user, school_b_user, schools):
    number = identity(9)
    first, _ = _check(bureau_user, row(A, number=number))
    graduates_confirm(data_import=first, by=bureau_user, today=TODAY)
    _pending, check = _check(school_b_user, row("", number=number))
    assert _errors(check) == [(2, "身份证号", "Another school has already recorded this graduate "
                                             "for this cohort and tracking point.")]


def test_a_locked_cohort_refuses_its_rows(bureau_user, schools):
    YearLock.objects.create(dataset="graduates", year=2017, locked_by=bureau_user)
    numbers = identities(2)
    pending, check = _check(bureau_user, row(A, number=numbers[0], cohort=2017),
                            row(A, number=numbers[1]))
    assert _errors(check) == [(2, "毕业年份", "The bureau has locked the 2017 graduate data; ask "
                                             "it to unlock the year first.")]
    graduates_confirm(data_import=pending, by=bureau_user, today=TODAY)
    assert list(GraduateRecord.objects.values_list("cohort", flat=True)) == [2018]


def test_a_lock_set_between_check_and_import_refuses_everything(bureau_user, schools):
    pending, check = _check(bureau_user, row(A))
    assert check.errors == []
    YearLock.objects.create(dataset="graduates", year=2018, locked_by=bureau_user)
    # The confirmation checks again: the row is refused, nothing is left to import.
    with pytest.raises(SurveyRefused) as refusal:
        graduates_confirm(data_import=pending, by=bureau_user, today=TODAY)
    assert str(refusal.value) == "No row can be imported: correct the file and upload it again."
    assert GraduateRecord.objects.count() == 0
    assert DataImport.objects.get(pk=pending.pk).file_id is not None  # still pending


def test_cancel_deletes_the_upload_and_its_file(bureau_user, schools,
                                                django_capture_on_commit_callbacks):
    pending, _check_ = _check(bureau_user, row(A))
    stored = pending.file
    path = stored.file.path
    with django_capture_on_commit_callbacks(execute=True):
        graduates_cancel(data_import=pending, by=bureau_user)
    assert (DataImport.objects.count(), StoredFile.objects.count()) == (0, 0)
    assert not stored.file.storage.exists(path)
    assert GraduateRecord.objects.count() == 0
    assert AuditEntry.objects.filter(action="graduates.cancel").count() == 1


def test_an_upload_is_imported_once_and_only_by_its_uploader(bureau_user, school_a_user, schools):
    pending, _check_ = _check(school_a_user, row(""))
    with pytest.raises(SurveyRefused):
        graduates_confirm(data_import=pending, by=bureau_user, today=TODAY)
    graduates_confirm(data_import=pending, by=school_a_user, today=TODAY)
    with pytest.raises(SurveyRefused) as refusal:
        graduates_confirm(data_import=pending, by=school_a_user, today=TODAY)
    assert str(refusal.value) == "This upload has already been imported or cancelled."
    assert GraduateRecord.objects.count() == 1


def test_uploads_left_a_day_are_deleted_by_the_next_upload(bureau_user, schools,
                                                           django_capture_on_commit_callbacks):
    with time_machine.travel(timezone.now() - timedelta(hours=25)):
        old, _check_ = _check(bureau_user, row(A))
    path = old.file.file.path
    with django_capture_on_commit_callbacks(execute=True):
        fresh = graduates_upload(file=upload(HEADER, row(A)), by=bureau_user)
    assert list(DataImport.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert StoredFile.objects.count() == 1
    assert not old.file.file.storage.exists(path)
    assert pending_purge() == 0


def test_the_template_reads_back_as_an_empty_sheet_with_every_column(bureau_user, schools):
    content = graduates_template()
    book = load_workbook(io.BytesIO(content))
    assert [c.value for c in book.worksheets[0][1]] == HEADER
    assert book.worksheets[0]["E2"].number_format == "@"  # identity numbers stay text
    assert book.sheetnames == ["毕业生就业跟踪", "填写说明"]
    with pytest.raises(Exception, match="no data rows"):
        sheet_rows(content)


def test_a_two_row_header_with_merged_group_cells_is_read(bureau_user, schools):
    book = Workbook()
    sheet = book.active
    sheet.append(["基本信息", None, None, None, None, "就业情况"])
    sheet.merge_cells("A1:E1")
    sheet.merge_cells("F1:L1")
    sheet.append(HEADER)
    sheet.append(row(A, number=identity(3)))
    buffer = io.BytesIO()
    book.save(buffer)
    pending = graduates_upload(file=SimpleUploadedFile("g.xlsx", buffer.getvalue()), by=bureau_user)
    check = graduates_file_check(data_import=pending, by=bureau_user, today=TODAY)
    assert (check.errors, [g.number for g in check.good]) == ([], [3])
