"""The database's grouped tallies count exactly what the pure tally counts."""

import random
from decimal import Decimal

import pytest

from tests.surveys.employment.conftest import record
from vetq.surveys.employment import Outcome, metrics, tally
from vetq.surveys.employment_queries import figures_of, major_group, tallies
from vetq.surveys.models import GraduateRecord

pytestmark = pytest.mark.integration


def test_database_tallies_equal_the_pure_tally_of_the_same_records(schools):
    rng = random.Random(3)
    for _n in range(120):
        destination = rng.choice(["employed", "self_employed", "further_study", "not_employed"])
        record(rng.choice(schools), rng.choice(["660101", "710201"]), destination=destination,
               in_field=rng.choice([True, False, None]),
               location=rng.choice(["", "local", "province", "elsewhere", "abroad"]),
               contract=rng.choice([True, False, None]),
               pay=rng.choice([None, 3000, 4550, 5100]),
               satisfaction=rng.choice([None, 1, 2, 3, 4]),
               employer=rng.choice([None, 1, 2, 3, 4]))
    by_school = tallies(GraduateRecord.objects.all(), ("institution_id",))
    for school in schools:
        expected = tally(
            Outcome(r.destination, r.in_field, r.location, r.contract, r.starting_pay,
                    r.satisfaction, r.employer_satisfaction)
            for r in GraduateRecord.objects.filter(institution=school).order_by("pk"))
        found = by_school[(school.pk,)]
        assert found.graduates == expected.graduates > 0
        assert sorted(found.pays) == sorted(expected.pays)
        assert metrics(found) == metrics(expected)
        assert {**vars(found), "pays": ()} == {**vars(expected), "pays": ()}


@pytest.mark.parametrize(("code", "group"), [
    ("660101", "46"), ("460101", "46"), ("710201", "51"), ("790101", "59"), ("510201", "51"),
    ("090100", "09"),
])
def test_major_group_of_a_catalogue_code(code, group):
    assert major_group(code) == group


def test_pay_is_read_back_as_decimal(schools):
    record(schools[0], pay=4550)
    assert tallies(GraduateRecord.objects.all(), ())[()].pays == (Decimal("4550.00"),)


def test_figures_of_the_city_a_school_and_a_region(outcomes, regions):
    a, b = outcomes
    assert figures_of(cohort=2018).employment_rate == Decimal("0.9286")
    assert figures_of(cohort=2018, institution=a).employment_rate == Decimal("1.0000")
    assert figures_of(cohort=2018, region=regions["yixing"]).employment_rate == Decimal("0.8750")
    assert figures_of(cohort=2016).graduates == 0
