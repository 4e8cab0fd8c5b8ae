"""The bureau's major–industry mapping (R32): which of the program's industries each
catalogue major serves, with weights. A major's students count towards each industry by its
weight ÷ the sum of the major's weights, so weights 2 and 1 split them two thirds and one
third. Edited by the bureau on a page or by Excel; seeded from the majors' own industries.
"""

import re
from collections import defaultdict
from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from vetq.audit.services import audit_log
from vetq.institutions.models import Industry, Major

from .data import is_bureau
from .errors import SurveyRefused
from .imports_values import ValueRefused, amount_parse
from .models import MajorIndustryWeight

CATALOGUE_CODE = re.compile(r"[0-9]{4,12}")
MAX_WEIGHT = Decimal("999.99")


def weight_parse(text) -> Decimal:
    """A weight above 0 and at most 999.99, two decimals."""
    value = amount_parse(str(text))
    if value <= 0:
        raise ValueRefused(_("A weight is above 0; remove the industry instead."))
    if value > MAX_WEIGHT:
        raise ValueRefused(_("A weight is at most %(max)s.") % {"max": MAX_WEIGHT})
    return value


def _snapshot(codes) -> dict[str, dict[str, str]]:
    held: dict[str, dict[str, str]] = defaultdict(dict)
    for row in MajorIndustryWeight.objects.filter(catalogue_code__in=codes).select_related(
            "industry"):
        held[row.catalogue_code][row.industry.code] = str(row.weight)
    return {code: held.get(code, {}) for code in codes}


def mapping_replace(*, weights: Mapping[str, Mapping[int, Decimal]], by,
                    action: str = "surveys.mapping_set") -> int:
    """Replace the weights of each catalogue code in `weights` (code → industry id →
    weight; an empty mapping unmaps the code). Refuses anyone but the bureau, a code that is
    not 4–12 digits, an unknown industry and a weight outside (0, 999.99]. Returns the
    number of weights written; one audit entry with the weights before and after."""
    if not is_bureau(by):
        raise SurveyRefused(_("Only the education bureau edits the major–industry mapping."))
    industries = set(Industry.objects.values_list("pk", flat=True))
    for code, by_industry in weights.items():
        if not CATALOGUE_CODE.fullmatch(code):
            raise SurveyRefused(_("A catalogue code is 4 to 12 digits: “%(code)s”.")
                                % {"code": code})
        for industry, weight in by_industry.items():
            if industry not in industries:
                raise SurveyRefused(_("Unknown industry."))
            try:
                weight_parse(weight)
            except ValueRefused as refusal:
                raise SurveyRefused(str(refusal)) from refusal
    codes = sorted(weights)
    with transaction.atomic():
        list(MajorIndustryWeight.objects.select_for_update().filter(catalogue_code__in=codes))
        before = _snapshot(codes)
        MajorIndustryWeight.objects.filter(catalogue_code__in=codes).delete()
        rows = MajorIndustryWeight.objects.bulk_create(
            MajorIndustryWeight(catalogue_code=code, industry_id=industry,
                                weight=weight_parse(weight))
            for code in codes for industry, weight in sorted(weights[code].items()))
        audit_log(action=action, actor=by, object_type="surveys.majorindustryweight",
                  object_id=codes[0] if len(codes) == 1 else "",
                  object_repr="、".join(codes)[:200], before=before, after=_snapshot(codes))
    return len(rows)


def mapping_set(*, catalogue_code: str, weights: Mapping[int, Decimal], by) -> int:
    """Replace one catalogue code's industries and weights (see mapping_replace)."""
    return mapping_replace(weights={catalogue_code: weights}, by=by)


def mapping_seed_from_majors(*, by=None) -> int:
    """Map every catalogue code not mapped yet to the industries its majors name (the
    union over the schools teaching it), weight 1 each. Leaves mapped codes alone, so the
    bureau's edits survive. Returns the number of weights written; audited."""
    mapped = set(MajorIndustryWeight.objects.values_list("catalogue_code", flat=True))
    industries: dict[str, set[int]] = defaultdict(set)
    links = Major.industries.through.objects.filter(major__active=True).values_list(
        "major__catalogue_code", "industry_id")
    for code, industry in links:
        if code not in mapped:
            industries[code].add(industry)
    with transaction.atomic():
        rows = MajorIndustryWeight.objects.bulk_create(
            MajorIndustryWeight(catalogue_code=code, industry_id=industry, weight=Decimal(1))
            for code in sorted(industries) for industry in sorted(industries[code]))
        if rows:
            audit_log(action="surveys.mapping_seed", actor=by,
                      object_type="surveys.majorindustryweight",
                      after={"codes": len(industries), "weights": len(rows)})
    return len(rows)
