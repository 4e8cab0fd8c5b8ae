"""The whole demo as plain data, drawn from one seeded Random before anything is written.

Planning never reads the database, so the same seed always gives the same schools, companies
and experts, whatever the database already holds.
"""

import random
from dataclasses import dataclass

from .enterprises import EnterpriseSpec, plan_enterprises
from .experts import ExpertSpec, plan_experts
from .institutions import LAYOUT, SchoolSpec, plan_schools

SEED = 2016


@dataclass(frozen=True)
class DemoPlan:
    schools: list[SchoolSpec]
    enterprises: list[EnterpriseSpec]
    experts: list[ExpertSpec]

    def employer_name(self, expert: ExpertSpec) -> str:
        names = {s.code: s.name for s in self.schools}
        names.update({e.credit_code: e.name for e in self.enterprises})
        return names[expert.employer_key]


def demo_plan(seed: int = SEED) -> DemoPlan:
    rng = random.Random(seed)
    schools = plan_schools(rng)
    enterprises = plan_enterprises(rng, list(LAYOUT))
    return DemoPlan(schools, enterprises, plan_experts(rng, schools, enterprises))
