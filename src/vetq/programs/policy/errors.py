"""Turn a parse or validation failure into messages naming the file, the line and the key."""

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class PolicyProblem:
    key: str
    line: int | None
    reason: str

    def render(self, filename: str) -> str:
        where = f"{filename}:{self.line}" if self.line else filename
        return f"{where}: {self.key or '(file)'}: {self.reason}"


class PolicyError(ValueError):
    """A policy file that cannot be loaded; nothing was written."""

    def __init__(self, filename: str, problems: list[PolicyProblem]):
        self.filename = filename
        self.problems = problems
        super().__init__("\n".join(p.render(filename) for p in problems))


def key_path(loc: tuple) -> str:
    """('categories', 3, 'subsidy', 'fixed', 'amount_yuan') → 'categories[3].subsidy.amount_yuan'."""
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item in {"fixed", "range", "per_year_plus_bonus", "total_in_tranches"}:
            continue  # pydantic's name for the union branch, not a key in the file
        else:
            parts.append(("." if parts else "") + str(item))
    return "".join(parts)


_HEADER = re.compile(r"^\s*\[\[?\s*([A-Za-z0-9_.-]+)\s*\]\]?\s*(#.*)?$")


def find_line(text: str, loc: tuple) -> int | None:
    """Best effort: the line of the key a validation error points at, 1-based."""
    lines = text.splitlines()
    keys = [k for k in loc if k not in {"fixed", "range", "per_year_plus_bonus", "total_in_tranches"}]
    if not keys:
        return None
    table = str(keys[0])
    start, end = 0, len(lines)
    rest = keys[1:]
    if rest and isinstance(rest[0], int):
        wanted, count = rest[0], -1
        rest = rest[1:]
        for number, line in enumerate(lines):
            match = _HEADER.match(line)
            if match and line.strip().startswith("[[") and match.group(1) == table:
                count += 1
                if count == wanted:
                    start = number
                    break
        else:
            return None
    else:
        for number, line in enumerate(lines):
            match = _HEADER.match(line)
            if match and match.group(1) == table:
                start = number
                break
        else:
            # a top-level key, or a table written inline
            for number, line in enumerate(lines):
                if re.match(rf"^\s*{re.escape(table)}\s*=", line):
                    return number + 1
            return None
    for number in range(start + 1, len(lines)):
        if _HEADER.match(lines[number]):
            end = number
            break
    names = [str(k) for k in rest if not isinstance(k, int)]
    for name in (names[:1] + names[-1:]) if names else []:
        for number in range(start + 1, end):
            if re.search(rf"(^|[\s{{,]){re.escape(name)}\s*=", lines[number]):
                return number + 1
    return start + 1
