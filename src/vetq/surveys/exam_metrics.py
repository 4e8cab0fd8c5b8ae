"""Pass and excellent rates of the academic proficiency tests and skill spot tests (R20).
Pure: no Django.

pass rate = candidates who passed ÷ candidates; excellent rate = candidates rated excellent ÷
candidates (an excellent result is also a pass). A group's rate — a region, a major group,
the city — counts every candidate once (total passed ÷ total candidates), so a large school
weighs more than a small one; the city average is the rate of all the city's candidates.
A group without candidates has no rate (None), never 0 %.
"""

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass

# The major groups (专业大类) of the 2021 national catalogue: 4x/5x higher vocational,
# 6x/7x secondary; the first two digits of a catalogue code name its group. Codes of other
# catalogues show their two digits alone.
_GROUPS = ["农林牧渔", "资源环境与安全", "能源动力与材料", "土木建筑", "水利", "装备制造",
           "生物与化工", "轻工纺织", "食品药品与粮食", "交通运输", "电子与信息", "医药卫生",
           "财经商贸", "旅游", "文化艺术", "新闻传播", "教育与体育", "公安与司法",
           "公共管理与服务"]
MAJOR_GROUP_NAMES = {
    **{str(41 + i): f"{name}大类" for i, name in enumerate(_GROUPS)},
    **{str(61 + i): f"{name}类" for i, name in enumerate(_GROUPS)},
}
NO_MAJOR = ""  # results entered for the whole school, not one major


@dataclass(frozen=True)
class Counts:
    candidates: int = 0
    passed: int = 0
    excellent: int = 0

    def __add__(self, other: "Counts") -> "Counts":
        return Counts(self.candidates + other.candidates, self.passed + other.passed,
                      self.excellent + other.excellent)

    def __post_init__(self):
        if min(self.candidates, self.passed, self.excellent) < 0:
            raise ValueError("exam counts must not be negative")
        if not self.excellent <= self.passed <= self.candidates:
            raise ValueError("excellent ≤ passed ≤ candidates must hold")


def rate(part: int, candidates: int) -> float | None:
    """part ÷ candidates, None without candidates."""
    return part / candidates if candidates else None


@dataclass(frozen=True)
class Rates:
    """One group's counts and rates, with the city's rates beside for comparison."""

    key: Hashable
    label: str
    counts: Counts
    city_pass_rate: float | None = None
    city_excellent_rate: float | None = None
    note: str = ""

    @property
    def candidates(self) -> int:
        return self.counts.candidates

    @property
    def passed(self) -> int:
        return self.counts.passed

    @property
    def excellent(self) -> int:
        return self.counts.excellent

    @property
    def pass_rate(self) -> float | None:
        return rate(self.counts.passed, self.counts.candidates)

    @property
    def excellent_rate(self) -> float | None:
        return rate(self.counts.excellent, self.counts.candidates)

    @property
    def below_city(self) -> bool:
        """Whether the pass rate is below the city's by at least 0.05 percentage points (what
        shows as a lower rate at one decimal of a percent)."""
        gap = self.pass_gap
        return gap is not None and gap <= -0.0005

    @property
    def pass_gap(self) -> float | None:
        """This group's pass rate less the city's (percentage points as a fraction)."""
        if self.pass_rate is None or self.city_pass_rate is None:
            return None
        return self.pass_rate - self.city_pass_rate


def major_group(catalogue_code: str | None) -> str:
    """The two-digit major group of a catalogue code; NO_MAJOR for school-wide results."""
    code = (catalogue_code or "").strip()
    return code[:2] if len(code) >= 2 else NO_MAJOR


def major_group_label(group: str) -> str:
    name = MAJOR_GROUP_NAMES.get(group)
    return f"{group} {name}" if name else group


def total(counts: Iterable[Counts]) -> Counts:
    return sum(counts, Counts())


def grouped(items: Iterable[tuple[object, Counts]], key: Callable[[object], Hashable]
            ) -> dict[Hashable, Counts]:
    """Counts summed per key(item), for (item, counts) pairs."""
    result: dict[Hashable, Counts] = {}
    for item, counts in items:
        k = key(item)
        result[k] = result.get(k, Counts()) + counts
    return result


def beside(key: Hashable, label: str, counts: Counts, city: Counts | None, note: str = "") -> Rates:
    """A group's rates with the city's (or a comparison group's) beside."""
    return Rates(key, label, counts,
                 city_pass_rate=rate(city.passed, city.candidates) if city else None,
                 city_excellent_rate=rate(city.excellent, city.candidates) if city else None,
                 note=note)
