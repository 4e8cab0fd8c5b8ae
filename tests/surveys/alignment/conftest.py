"""A small city for the alignment queries: two regions, three schools, mapped majors with split
weights, one unmapped major, and industry figures for the whole city and for Liangxi (Yixing
has none of its own, so it is compared with the city's).

2019, students on roll (the worked example of docs/surveys.md for the whole city):
  A (梁溪): 计算机应用 710201 100, 机电技术应用 660301 200
  B (梁溪): 物流服务与管理 730801 100, 工艺美术 750101 50 (not mapped)
  C (宜兴): 计算机应用 710201 60, 机电技术应用 660301 40
Weights: 710201 → IT 1; 660301 → equipment 3, IT 1; 730801 → logistics 1.
Output (万元), city: IT 400, equipment 240, logistics 160, tourism 200;
               Liangxi: IT 300, equipment 100, logistics 100.
Employment, city: IT 20, equipment 50, logistics 30, tourism 0.
2020: only regions' rows (Liangxi and Yixing), so the city is their sum.
"""

from decimal import Decimal

import pytest

from tests.factories import InstitutionFactory, MajorFactory, UserFactory, membership
from vetq.institutions.models import Industry
from vetq.surveys.models import Enrolment, IndustryFigure, MajorIndustryWeight

IT, EQUIPMENT, LOGISTICS, TOURISM = ("next_gen_it", "high_end_equipment", "trade_logistics",
                                     "tourism_leisure")


@pytest.fixture
def industries(program):
    Industry.objects.filter(code__in=[IT, EQUIPMENT]).update(is_pillar=True)
    return {i.code: i for i in Industry.objects.all()}


def enrol(school, code, name, students, year=2019, enrolled=None, graduates=None):
    major = school.majors.filter(catalogue_code=code).first() or MajorFactory(
        institution=school, catalogue_code=code, name=name)
    return Enrolment.objects.create(institution=school, major=major, year=year,
                                    enrolled=enrolled if enrolled is not None else students // 3,
                                    students=students,
                                    graduates=graduates if graduates is not None else students // 4)


def figure(industries, code, year, output, employment=0, region=None):
    return IndustryFigure.objects.create(region=region, industry=industries[code], year=year,
                                         output_value=Decimal(output), employment=employment)


@pytest.fixture
def city(industries, regions):
    a = InstitutionFactory(code="A001", name="梁溪甲校", region=regions["liangxi"])
    b = InstitutionFactory(code="B002", name="梁溪乙校", region=regions["liangxi"])
    c = InstitutionFactory(code="C003", name="宜兴丙校", region=regions["yixing"])
    enrol(a, "710201", "计算机应用", 100)
    enrol(a, "660301", "机电技术应用", 200)
    enrol(b, "730801", "物流服务与管理", 100)
    enrol(b, "750101", "工艺美术", 50)
    enrol(c, "710201", "计算机应用", 60)
    enrol(c, "660301", "机电技术应用", 40)
    for code, industry, weight in [("710201", IT, 1), ("660301", EQUIPMENT, 3),
                                   ("660301", IT, 1), ("730801", LOGISTICS, 1)]:
        MajorIndustryWeight.objects.create(catalogue_code=code, industry=industries[industry],
                                           weight=Decimal(weight))
    for code, output, employed in [(IT, 400, 20), (EQUIPMENT, 240, 50), (LOGISTICS, 160, 30),
                                   (TOURISM, 200, 0)]:
        figure(industries, code, 2019, output, employed)
    for code, output in [(IT, 300), (EQUIPMENT, 100), (LOGISTICS, 100)]:
        figure(industries, code, 2019, output, 10, region=regions["liangxi"])
    return {"a": a, "b": b, "c": c}


@pytest.fixture
def year_2020(city, industries, regions):
    """2020: the same schools (A only), and only regions' industry figures."""
    enrol(city["a"], "710201", "计算机应用", 100, year=2020)
    figure(industries, IT, 2020, 100, 5, region=regions["liangxi"])
    figure(industries, EQUIPMENT, 2020, 50, 5, region=regions["liangxi"])
    figure(industries, IT, 2020, 50, 5, region=regions["yixing"])
    figure(industries, EQUIPMENT, 2020, 100, 5, region=regions["yixing"])


@pytest.fixture
def users(city, regions, program):
    from vetq.institutions.models import Department

    def user(name, role, **scope):
        u = UserFactory(username=name)
        membership(u, role, **scope)
        return u

    return {
        "bureau": user("al-bureau", "bureau_admin"),
        "viewer": user("al-viewer", "department_viewer",
                       department=Department.objects.get(code="development_reform")),
        "liangxi": user("al-liangxi", "region_officer", region=regions["liangxi"]),
        "yixing": user("al-yixing", "region_officer", region=regions["yixing"]),
        "a": user("al-school-a", "school_user", institution=city["a"]),
        "c": user("al-school-c", "school_user", institution=city["c"]),
        "expert": user("al-expert", "expert"),
    }
