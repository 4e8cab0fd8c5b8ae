"""Exam and skill-test results of a small city: three schools in two regions, 2018 and 2019.

2019: X (梁溪) 660301 academic 数学 40/36/10 (candidates/passed/excellent)
      Y (梁溪) 730801 academic 数学 60/45/12
      Z (宜兴) 660103 skill 数控车 50/40/5; whole school academic 语文 50/50/20
2018: X 660301 academic 数学 40/30/8
"""

import pytest

from tests.factories import InstitutionFactory, MajorFactory, UserFactory, membership
from vetq.surveys.models import ExamResult


def result(school, code, kind, subject, candidates, passed, excellent, year=2019):
    major = None
    if code:
        major = school.majors.filter(catalogue_code=code).first() or MajorFactory(
            institution=school, catalogue_code=code, name=f"专业{code}")
    return ExamResult.objects.create(institution=school, major=major, year=year, kind=kind,
                                     subject=subject, candidates=candidates, passed=passed,
                                     excellent=excellent)


@pytest.fixture
def exams(regions):
    x = InstitutionFactory(code="X001", name="梁溪X校", region=regions["liangxi"])
    y = InstitutionFactory(code="Y002", name="梁溪Y校", region=regions["liangxi"])
    z = InstitutionFactory(code="Z003", name="宜兴Z校", region=regions["yixing"])
    result(x, "660301", "academic", "数学", 40, 36, 10)
    result(y, "730801", "academic", "数学", 60, 45, 12)
    result(z, "660103", "skill", "数控车", 50, 40, 5)
    result(z, None, "academic", "语文", 50, 50, 20)
    result(x, "660301", "academic", "数学", 40, 30, 8, year=2018)
    return {"x": x, "y": y, "z": z}


@pytest.fixture
def users(exams, regions, program):
    def user(name, role, **scope):
        u = UserFactory(username=name)
        membership(u, role, **scope)
        return u

    return {
        "bureau": user("ex-bureau", "bureau_admin"),
        "liangxi": user("ex-liangxi", "region_officer", region=regions["liangxi"]),
        "x": user("ex-school-x", "school_user", institution=exams["x"]),
        "expert": user("ex-expert", "expert"),
    }
