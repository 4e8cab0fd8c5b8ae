"""The demo's graduate records: the tracking points already reached, plausible patterns, the
same records on every run, nothing added by a second run."""

from collections import Counter
from datetime import date

import pytest

from tests.factories import InstitutionFactory, MajorFactory
from vetq.demo.graduates import graduates_write
from vetq.surveys.employment import metrics
from vetq.surveys.employment_queries import tallies
from vetq.surveys.models import GraduateRecord

pytestmark = pytest.mark.integration


@pytest.fixture
def demo_schools(regions):
    college = InstitutionFactory(code="4132029001", type="higher_vocational",
                                 region=regions["binhu"])
    secondary = InstitutionFactory(code="3320213901", type="secondary_vocational",
                                   region=regions["jiangyin"])
    for code in ("460101", "510201", "540101"):
        MajorFactory(institution=college, catalogue_code=code)
    for code in ("660101", "710201", "740101"):
        MajorFactory(institution=secondary, catalogue_code=code)
    return college, secondary


def _snapshot() -> list[tuple]:
    return sorted(GraduateRecord.objects.values_list(
        "institution__code", "major__catalogue_code", "cohort", "point", "person", "destination",
        "in_field", "location", "contract", "starting_pay", "satisfaction",
        "employer_satisfaction"))


def test_only_the_points_reached_are_written(program, demo_schools):
    written = graduates_write(program=program, today=date(2017, 1, 1))
    assert written == GraduateRecord.objects.count() > 0
    assert set(GraduateRecord.objects.values_list("cohort", "point").distinct()) == {
        (2015, "graduation"), (2015, "half_year"), (2015, "one_year"),
        (2016, "graduation"), (2016, "half_year")}


def test_the_demo_is_deterministic_and_a_second_run_adds_nothing(program, demo_schools):
    today = date(2024, 1, 1)
    first = graduates_write(program=program, today=today)
    records = _snapshot()
    assert graduates_write(program=program, today=today) == 0
    GraduateRecord.objects.all().delete()
    assert graduates_write(program=program, today=today) == first
    assert _snapshot() == records


def test_the_demo_patterns_are_plausible(program, demo_schools):
    college, secondary = demo_schools
    graduates_write(program=program, today=date(2024, 1, 1))
    half_year = GraduateRecord.objects.filter(point="half_year")
    by_school = {key[0]: metrics(t) for key, t in tallies(half_year, ("institution_id",)).items()}
    city = metrics(tallies(half_year, ())[()])
    assert 0.85 <= city.employment_rate <= 0.99
    assert by_school[secondary.pk].further_study_rate > by_school[college.pk].further_study_rate
    three = metrics(tallies(GraduateRecord.objects.filter(point="three_years"), ())[()])
    graduation = metrics(tallies(GraduateRecord.objects.filter(point="graduation"), ())[()])
    assert three.pay_median > graduation.pay_median
    # One person, several points: records link through the pseudonym.
    people = Counter(GraduateRecord.objects.values_list("person", flat=True))
    assert max(people.values()) == 4
    assert GraduateRecord.objects.filter(point="graduation", satisfaction__isnull=False).count() == 0
