"""The default language is Chinese: import errors reach a bureau clerk in Chinese."""

import pytest
from django.urls import reverse
from django.utils import translation

from tests.institutions.sheets import INSTITUTION_HEADER, xlsx_upload
from vetq.institutions.models import Institution

pytestmark = pytest.mark.integration


@pytest.fixture(autouse=True)
def english(settings):
    """Override the package's English default: these tests run in the product's default."""
    settings.LANGUAGE_CODE = "zh-hans"
    with translation.override("zh-hans"):
        yield


def test_bad_region_is_reported_in_chinese(client, bureau_user):
    client.force_login(bureau_user)
    row = ["4132010001", "无锡机电高等职业技术学校", "", "高职院校", "北京", "市教育局"]
    response = client.post(reverse("institutions:import"), {"file": xlsx_upload(INSTITUTION_HEADER, row)})
    body = response.content.decode()
    assert "所属地区" in body
    assert "北京" in body
    reasons = [e.reason for e in response.context["result"].errors]
    assert len(reasons) == 1 and "北京" in reasons[0] and "Unknown" not in reasons[0]
    assert Institution.objects.count() == 0
