"""Two schools (梁溪 and 宜兴), the first with two majors, a school user for it, the bureau,
and workbooks built the way people build them by hand."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from tests.factories import MajorFactory, UserFactory, membership

YEAR = 2019
ENROLMENT_HEADER = ["学校代码", "专业代码", "招生数（人）", "在校生数（人）", "毕业生数（人）"]


@pytest.fixture(autouse=True)
def english(settings):
    """These tests check messages by their English wording."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def mechatronics(school):
    return MajorFactory(institution=school, catalogue_code="660301", name="机电技术应用")


@pytest.fixture
def computing(school):
    return MajorFactory(institution=school, catalogue_code="710201", name="计算机应用")


@pytest.fixture
def other_major(other_school):
    return MajorFactory(institution=other_school, catalogue_code="660301", name="机电技术应用")


@pytest.fixture
def majors(mechatronics, computing):
    return {"660301": mechatronics, "710201": computing}


@pytest.fixture
def other_school_user(other_school):
    user = UserFactory(username="school2")
    membership(user, "school_user", institution=other_school)
    return user


@pytest.fixture
def officer(regions):
    user = UserFactory(username="liangxi-officer")
    membership(user, "region_officer", region=regions["liangxi"])
    return user


def workbook_upload(*rows, title: str = "招生与在校生", extra_sheets=(), merges=(),
                    name: str = "data.xlsx") -> SimpleUploadedFile:
    """An .xlsx whose sheet `title` holds `rows` from A1 down; `extra_sheets` are
    (title, rows) put before it; `merges` are ranges such as "A1:A2" merged on it."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for sheet_title, sheet_rows in extra_sheets:
        sheet = workbook.create_sheet(sheet_title)
        for row in sheet_rows:
            sheet.append(list(row))
    sheet = workbook.create_sheet(title)
    for row in rows:
        sheet.append(list(row))
    for cells in merges:
        sheet.merge_cells(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())
