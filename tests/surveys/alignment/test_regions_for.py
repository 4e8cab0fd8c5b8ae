"""accounts.scoping.regions_for: whose aggregate survey figures a user may read by region."""

import pytest

from tests.factories import UserFactory, membership
from vetq.accounts.scoping import regions_for

pytestmark = pytest.mark.integration


def codes(user) -> set[str]:
    return set(regions_for(user).values_list("code", flat=True))


def test_regions_each_role_reads(users, regions):
    assert codes(users["bureau"]) == set(regions)
    assert codes(users["viewer"]) == set(regions)
    assert codes(users["liangxi"]) == {"liangxi"}
    assert codes(users["a"]) == set()
    assert codes(users["expert"]) == set()
    city_finance = UserFactory(username="al-finance")
    membership(city_finance, "finance_officer")
    assert codes(city_finance) == set(regions)
    county_finance = UserFactory(username="al-finance-jy")
    membership(county_finance, "finance_officer", region=regions["jiangyin"])
    assert codes(county_finance) == {"jiangyin"}
