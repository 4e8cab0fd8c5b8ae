"""Demo partner enterprises: fictional companies keyed by a made-up unified social credit code."""

import random
from dataclasses import dataclass

from vetq.institutions.models import Enterprise, Industry, Region

from .names import ADMIN_CODE, BRANDS, BUSINESS, CITY_PREFIX, COMPANY_SUFFIXES

ENTERPRISE_COUNT = 20

# GB 32100-2015: the characters a credit code uses and the weights of its check character.
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 11714-1997: the weights of the organisation code's own check character.
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


@dataclass(frozen=True)
class EnterpriseSpec:
    credit_code: str
    name: str
    region: str
    industries: tuple[str, ...]


def _org_code(body: str) -> str:
    total = sum(int(c, 36) * w for c, w in zip(body, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def credit_code(rng: random.Random, region: str) -> str:
    """An 18-character code with valid check characters: 91 (a company), the region's
    division code, a 9-character organisation code and the check character."""
    org = _org_code("MA" + "".join(rng.choice(_CREDIT_CHARS) for _ in range(6)))
    body = "91" + ADMIN_CODE[region] + org
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(body, _CREDIT_WEIGHTS, strict=False))
    return body + _CREDIT_CHARS[(31 - total % 31) % 31]


def plan_enterprises(rng: random.Random, regions: list[str]) -> list[EnterpriseSpec]:
    """ENTERPRISE_COUNT fictional companies, each in one region and serving 1–2 industries."""
    industries = list(BUSINESS)
    brands = rng.sample(BRANDS, k=ENTERPRISE_COUNT)
    specs = []
    for index, brand in enumerate(brands):
        # Walk the industries in turn so all 17 have a partner before any has two.
        main = industries[index % len(industries)]
        business, second = rng.choice(BUSINESS[main])
        region = rng.choice(regions)
        name = f"{CITY_PREFIX[region]}{brand}{business}{rng.choice(COMPANY_SUFFIXES)}"
        served = (main, second) if second else (main,)
        specs.append(EnterpriseSpec(credit_code(rng, region), name, region, served))
    return specs


def enterprises_write(
    enterprises: list[EnterpriseSpec], *, regions: dict[str, Region],
    industries: dict[str, Industry],
) -> tuple[dict[str, Enterprise], int]:
    """Create the enterprises not yet there (by credit code); return them by credit code and
    how many were added."""
    codes = [e.credit_code for e in enterprises]
    existing = set(Enterprise.objects.filter(credit_code__in=codes).values_list("credit_code",
                                                                                  flat=True))
    new = [(Enterprise(name=e.name, credit_code=e.credit_code, region=regions[e.region]), e)
           for e in enterprises if e.credit_code not in existing]
    Enterprise.objects.bulk_create([obj for obj, _ in new])
    Through = Enterprise.industries.through
    Through.objects.bulk_create([
        Through(enterprise_id=obj.pk, industry_id=industries[code].pk)
        for obj, spec in new for code in spec.industries
    ])
    return Enterprise.objects.in_bulk(codes, field_name="credit_code"), len(new)
