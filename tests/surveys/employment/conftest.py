"""Schools with majors, graduate sheets and valid identity numbers for the employment tests."""

import io
import random
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from tests.factories import InstitutionFactory, MajorFactory, UserFactory, membership
from vetq.surveys.pseudonyms import check_character

HEADER = ["学校代码", "专业代码", "毕业年份", "跟踪时点", "身份证号", "毕业去向", "专业对口",
          "就业地点", "签订劳动合同", "月收入（元）", "对母校满意度", "用人单位满意度"]
TODAY = date(2025, 3, 1)


@pytest.fixture(autouse=True)
def english(settings):
    """Messages and pages are checked by their English wording."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def identity(serial: int, *, area: str = "320211", born: str = "19980312") -> str:
    """A valid 18-character identity number; `serial` (0–999) tells them apart."""
    first17 = f"{area}{born}{serial:03d}"
    return first17 + check_character(first17)


def identities(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    numbers: set[str] = set()
    while len(numbers) < count:
        born = f"{rng.randint(1995, 2001)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}"
        numbers.add(identity(rng.randrange(1000), born=born))
    return sorted(numbers)


def workbook(*rows, title: str = "毕业生", extra_sheets: tuple = ()) -> bytes:
    book = Workbook()
    for name, sheet_rows in extra_sheets:
        sheet = book.create_sheet(name, 0)
        for row in sheet_rows:
            sheet.append(list(row))
    sheet = book.worksheets[-1] if extra_sheets else book.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(*rows, name: str = "graduates.xlsx", **options) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, workbook(*rows, **options))


def row(school="", major="660101", cohort=2018, point="毕业半年后", number=None,
        destination="就业", in_field="是", location="本市", contract="是", pay=4500,
        satisfaction="满意", employer=""):
    return [school, major, cohort, point, number or identity(1), destination, in_field, location,
            contract, pay, satisfaction, employer]


@pytest.fixture
def schools(regions):
    """Two schools (Liangxi, Yixing) teaching 660101 and 710201, a third major 750109 at A."""
    a = InstitutionFactory(code="3202130901", name="无锡甲职业学校", region=regions["liangxi"])
    b = InstitutionFactory(code="3202820901", name="宜兴乙职业学校", region=regions["yixing"])
    for school in (a, b):
        MajorFactory(institution=school, catalogue_code="660101", name="机械制造技术")
        MajorFactory(institution=school, catalogue_code="710201", name="计算机应用")
    MajorFactory(institution=a, catalogue_code="750109", name="动漫与游戏制作")
    return a, b


@pytest.fixture
def school_a_user(schools):
    user = UserFactory(username="school-a")
    membership(user, "school_user", institution=schools[0])
    return user


@pytest.fixture
def school_b_user(schools):
    user = UserFactory(username="school-b")
    membership(user, "school_user", institution=schools[1])
    return user


@pytest.fixture
def region_officer(regions):
    user = UserFactory(username="region-yixing")
    membership(user, "region_officer", region=regions["yixing"])
    return user


@pytest.fixture
def expert_user(program):
    user = UserFactory(username="expert-only")
    membership(user, "expert")
    return user


_serial = iter(range(10**6))


def record(school, catalogue_code="660101", *, cohort=2018, point="half_year",
           destination="employed", in_field=True, location="local", contract=True, pay=5000,
           satisfaction=3, employer=None, person=None):
    """A graduate record written directly (the import is tested on its own)."""
    from decimal import Decimal

    from vetq.surveys.models import GraduateRecord

    working = destination in ("employed", "self_employed")
    return GraduateRecord.objects.create(
        institution=school, major=school.majors.get(catalogue_code=catalogue_code),
        cohort=cohort, point=point, person=person or f"{next(_serial):064x}",
        destination=destination, in_field=in_field if working else None,
        location=location if working else "",
        contract=contract if destination == "employed" else None,
        starting_pay=Decimal(pay) if working and pay is not None else None,
        satisfaction=satisfaction, employer_satisfaction=employer)


@pytest.fixture
def outcomes(schools):
    """School A: 6 employed (one out of field, one in the province) and 2 in further study,
    all in 660101; school B: 4 employed and 1 not employed (6 601 01), 3 employed in 710201.
    The 2017 cohort: 5 employed at A."""
    a, b = schools
    for pay in (4000, 4200, 4400, 4600):
        record(a, pay=pay)
    record(a, in_field=False, pay=5000)
    record(a, location="province", pay=6000, satisfaction=None)
    record(a, destination="further_study")
    record(a, destination="further_study", satisfaction=4)
    for pay in (3000, 3200, 3400, 3600):
        record(b, pay=pay, satisfaction=2)
    record(b, destination="not_employed", satisfaction=1)
    for pay in (5000, 5200, 5400):
        record(b, "710201", pay=pay)
    for _n in range(5):
        record(a, cohort=2017)
    return a, b
