"""Verifiable draws (专家抽取; fair-review.md §2): the notice's canonical inputs, the draw as a
pure function of (inputs, seed), the published file and its verification.

The bureau publishes the inputs (pool codes and tags, applications and tags, conflict pairs,
rules) with their SHA-256 digest and the name of a future public value; once the value is
known, seed = SHA-256(digest | value | version) and the panel, the ordered reserves and the
assignment follow from (inputs, seed) alone. `python -m vetq draws verify FILE` re-runs it.
Every step is specified in docs/review-algorithm.md. Pure: no Django models, no database.
"""

import json
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from .assignment import (
    NoAssignment,
    Reviewer,
    Rules,
    Subject,
    as_fraction,
    assign,
    shortages,
    translate,
)
from .canonical import CanonicalError, digest, hash_order, seed_for


def N_(message: str) -> str:
    """Marks a message id for makemessages (--keyword=N_); translated where shown."""
    return message


ALGORITHM_VERSION = "vetq-draw-1"
INPUTS_FORMAT = "vetq-draw-inputs-1"
FILE_FORMAT = "vetq-draw-file-1"
RULE_DEFAULTS = {
    "experts_per_application": 5, "load_min": 1, "load_max": 10, "reserves": 5,
    "balance_weight": 20, "candidates_per_application": 60,
}
RESULT_KEYS = ("panel", "reserves", "assignment", "objective", "loads")


def panel_size(n_applications: int, rules: Rules, pool_size: int) -> int:
    """base = max(k, ⌈n·k / load_max⌉); size = base + ⌈base / 5⌉ (20 % slack so loads can
    balance and conflicts be absorbed), but no more than ⌊n·k / load_min⌋ (when load_min > 0
    and that is not below base) and never more than the pool."""
    if n_applications <= 0:
        return 0
    reviews = n_applications * rules.k
    base = max(rules.k, -(-reviews // rules.load_max))
    size = base + -(-base // 5)
    if rules.load_min:
        size = min(size, max(base, reviews // rules.load_min))
    return max(0, min(size, pool_size))


def _cap_text(value) -> str:
    """The probability cap as a decimal string ("0", "0.5"), or "a/b" if it has no finite one."""
    cap = as_fraction(value)
    number = Decimal(cap.numerator) / Decimal(cap.denominator)
    if Fraction(number) == cap:
        return format(number.normalize(), "f")
    return f"{cap.numerator}/{cap.denominator}"


def notice_rules(rules: dict) -> dict:
    """The draw's rules from a policy [review] section (other keys are dropped)."""
    out = {key: int(rules.get(key, default)) for key, default in RULE_DEFAULTS.items()}
    out["probability_cap"] = _cap_text(rules.get("probability_cap", 0))
    Rules.from_policy(out)  # refuses impossible values now, not at the draw
    if out["reserves"] < 0:
        raise ValueError("reserves must not be negative")
    return out


def _tags(values, what: str) -> list[str]:
    values = list(values or [])
    if not all(isinstance(v, str) and v for v in values):
        raise ValueError(f"{what}: tags must be non-empty strings")
    return sorted(set(values))


def notice_inputs(*, title: str, rules: dict, pool: list[dict], applications: list[dict],
                  conflicts, public_value_source: str = "") -> dict:
    """The canonical inputs document of a draw notice: everything the draw depends on, sorted.

    ``pool``: {"code", "industries", "major_groups"}; ``applications``: {"id", "industries",
    "major_groups"}; ``conflicts``: [code, application id, [reasons]] items or the mapping
    :func:`~vetq.reviews.conflicts.conflicts` returns. Pass ``public_value_source`` so that the
    digest also commits to which public value will fix the draw."""
    experts = []
    for item in pool:
        code = item["code"]
        if not isinstance(code, str) or not code:
            raise ValueError("an expert code must be a non-empty string")
        experts.append({"code": code, "industries": _tags(item.get("industries"), code),
                        "major_groups": _tags(item.get("major_groups"), code)})
    experts.sort(key=lambda e: e["code"])
    codes = [e["code"] for e in experts]
    if len(set(codes)) != len(codes):
        raise ValueError("expert codes in the pool must be unique")
    apps = []
    for item in applications:
        app_id = item["id"]
        if not isinstance(app_id, int) or isinstance(app_id, bool):
            raise ValueError("an application id must be an integer")
        apps.append({"id": app_id, "industries": _tags(item.get("industries"), str(app_id)),
                     "major_groups": _tags(item.get("major_groups"), str(app_id))})
    apps.sort(key=lambda a: a["id"])
    ids = [a["id"] for a in apps]
    if len(set(ids)) != len(ids):
        raise ValueError("application ids must be unique")
    items = ([[c, a, list(r)] for (c, a), r in conflicts.items()] if isinstance(conflicts, dict)
             else [list(item) for item in conflicts])
    known_codes, known_ids = set(codes), set(ids)
    pairs = []
    for code, app_id, reasons in items:
        if code not in known_codes or app_id not in known_ids:
            raise ValueError(f"conflict ({code}, {app_id}) names an expert or application not in the notice")
        pairs.append([code, app_id, _tags(reasons, f"conflict ({code}, {app_id})")])
    pairs.sort(key=lambda p: (p[0], p[1]))
    if any(a[:2] == b[:2] for a, b in zip(pairs, pairs[1:], strict=False)):
        raise ValueError("each conflict pair may be listed only once")
    document = {
        "format": INPUTS_FORMAT, "algorithm_version": ALGORITHM_VERSION, "title": title,
        "rules": notice_rules(rules), "pool": experts, "applications": apps, "conflicts": pairs,
    }
    if public_value_source:
        document["public_value_source"] = public_value_source
    digest(document)  # refuses what cannot be published exactly
    return document


def perform(inputs: dict, seed: str) -> dict:
    """The draw: the pool in the order of hash_order(seed, "pool", codes), without the experts
    free of conflict with fewer than max(1, load_min) applications; the panel is the shortest
    prefix, at least panel_size long, that admits an assignment; the reserves the next ones;
    the assignment solved on the panel with the seed. Raises NoAssignment (naming the
    applications short of experts in the whole pool, or the load bounds)."""
    if inputs.get("format") != INPUTS_FORMAT or inputs.get("algorithm_version") != ALGORITHM_VERSION:
        raise ValueError(f"these inputs are not {INPUTS_FORMAT} for {ALGORITHM_VERSION}")
    rules = Rules.from_policy(inputs["rules"])
    reserves = int(inputs["rules"]["reserves"])
    subjects = [Subject(a["id"], frozenset(a["industries"]), frozenset(a["major_groups"]))
                for a in inputs["applications"]]
    pool = {e["code"]: Reviewer(e["code"], frozenset(e["industries"]), frozenset(e["major_groups"]))
            for e in inputs["pool"]}
    if not subjects:
        raise ValueError("a draw needs at least one application")
    blocked = {(code, app_id) for code, app_id, _ in inputs["conflicts"]}
    free = {code: len(subjects) for code in pool}
    for code, _ in blocked:
        free[code] -= 1
    eligible = [c for c in hash_order(seed, "pool", sorted(pool)) if free[c] >= max(1, rules.load_min)]
    size = panel_size(len(subjects), rules, len(eligible))
    last = None
    for members in range(size, len(eligible) + 1):
        if members * rules.load_min > len(subjects) * rules.k:
            break
        try:
            solution = assign(subjects, [pool[c] for c in eligible[:members]], blocked, rules, seed=seed)
        except NoAssignment as exc:
            last = exc
            continue
        panel = eligible[:members]
        return {
            "panel": panel,
            "reserves": eligible[members:members + reserves],
            "assignment": [[app_id, code] for app_id, code in solution.pairs],
            "objective": solution.objective,
            "loads": {code: solution.loads[code] for code in panel},
        }
    short = shortages(subjects, list(pool.values()), blocked, rules)
    if short:
        raise NoAssignment.for_shortages(short, rules)
    short = shortages(subjects, [pool[c] for c in eligible], blocked, rules)
    if short:
        raise NoAssignment("load_min", [(N_(
            "Application %(application)s: only %(available)d of the experts free of conflict with it "
            "can review at least %(load_min)d applications; %(needed)d needed."),
            {"application": s.subject_id, "available": s.available, "needed": s.needed,
             "load_min": max(1, rules.load_min)}) for s in short], subjects=[s.subject_id for s in short])
    if last is not None:
        raise last
    assign(subjects, [pool[c] for c in eligible[:size]], blocked, rules, seed=seed)
    raise AssertionError("unreachable: the first panel has an assignment")  # pragma: no cover


def export_document(*, inputs, inputs_digest, public_value_source, public_value, seed, result) -> dict:
    """The published draw file, the one `draws verify` reads."""
    return {
        "format": FILE_FORMAT,
        "algorithm_version": inputs.get("algorithm_version", ALGORITHM_VERSION),
        "inputs_digest": inputs_digest,
        "public_value_source": public_value_source,
        "public_value": public_value,
        "seed": seed,
        "result": result,
        "inputs": inputs,
    }


def document_bytes(document: dict) -> bytes:
    """The file as published: UTF-8 JSON, indented for reading (verification does not depend
    on the layout: the digest is taken over the canonical form of ``inputs``)."""
    return json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"


class DocumentError(ValueError):
    """The bytes are not a JSON draw file."""


def _no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(set(keys)) != len(keys):
        raise DocumentError(f"duplicate key {sorted(k for k in keys if keys.count(k) > 1)[0]!r}")
    return dict(pairs)


def load_document(data: bytes) -> dict:
    """Parse a draw file: UTF-8 JSON object, no duplicate keys (they could hide a second value)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DocumentError(f"not UTF-8 at byte {exc.start}") from exc
    try:
        document = json.loads(text.removeprefix("\ufeff"), object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise DocumentError(f"not JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}") from exc
    if not isinstance(document, dict):
        raise DocumentError("not a JSON object")
    return document


@dataclass
class Verification:
    """``match`` and the checks made, each (passed, message id, params)."""

    match: bool
    checks: list[tuple[bool, str, dict]] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return [translate(message) % params for _, message, params in self.checks]


def _brief(value) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_brief(v) for v in value) + "]"
    return json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def _difference(name: str, ours, theirs) -> tuple[str, dict]:
    if isinstance(ours, list) and isinstance(theirs, list):
        for position, (a, b) in enumerate(zip(theirs, ours, strict=False), start=1):
            if a != b:
                return N_("Result differs: %(part)s at position %(position)d: the file says %(file)s, "
                          "the inputs give %(computed)s."), {
                    "part": name, "position": position, "file": _brief(a), "computed": _brief(b)}
        return N_("Result differs: %(part)s has %(file)d entries in the file, %(computed)d from the "
                  "inputs."), {"part": name, "file": len(theirs), "computed": len(ours)}
    if isinstance(ours, dict) and isinstance(theirs, dict):
        for key in sorted(set(ours) | set(theirs)):
            if ours.get(key) != theirs.get(key):
                return N_("Result differs: %(part)s of %(key)s: the file says %(file)s, the inputs "
                          "give %(computed)s."), {"part": name, "key": key, "file": _brief(theirs.get(key)),
                                                 "computed": _brief(ours.get(key))}
    return N_("Result differs: %(part)s: the file says %(file)s, the inputs give %(computed)s."), {
        "part": name, "file": _brief(theirs), "computed": _brief(ours)}


def verify(document: dict) -> Verification:
    """Recompute the digest of the inputs, the seed from it, the public value and the version,
    and the result from the inputs and the seed; compare each with the file."""
    checks: list[tuple[bool, str, dict]] = []

    def fail(message: str, **params) -> Verification:
        checks.append((False, message, params))
        return Verification(False, checks)

    if not isinstance(document, dict) or document.get("format") != FILE_FORMAT:
        return fail(N_("This is not a vetq draw file (format %(format)s expected)."), format=FILE_FORMAT)
    for name in ("algorithm_version", "inputs_digest", "public_value", "seed", "result", "inputs"):
        if name not in document:
            return fail(N_("The file has no %(field)s."), field=name)
    version, inputs = document["algorithm_version"], document["inputs"]
    if version != ALGORITHM_VERSION:
        return fail(N_("Algorithm version differs: the file says %(file)s, this program implements "
                       "%(ours)s."), file=_brief(version), ours=ALGORITHM_VERSION)
    try:
        computed = digest(inputs)
    except CanonicalError as exc:
        return fail(N_("The inputs cannot be written as canonical JSON: %(error)s."), error=str(exc))
    if computed == document["inputs_digest"]:
        checks.append((True, N_("Inputs digest matches: %(digest)s."), {"digest": computed}))
    else:
        checks.append((False, N_("Inputs digest differs: the file says %(file)s, the inputs give "
                                 "%(computed)s."), {"file": _brief(document["inputs_digest"]),
                                                    "computed": computed}))
    source = inputs.get("public_value_source") if isinstance(inputs, dict) else None
    if source is not None and source != document.get("public_value_source"):
        checks.append((False, N_("Public value source differs: the file says %(file)s, the notice "
                                 "named %(notice)s."), {"file": _brief(document.get("public_value_source")),
                                                       "notice": source}))
    try:
        seed = seed_for(computed, str(document["public_value"]), version)
    except ValueError as exc:
        return fail(N_("The seed cannot be computed: %(error)s."), error=str(exc))
    if seed == document["seed"]:
        checks.append((True, N_("Seed matches: %(seed)s."), {"seed": seed}))
    else:
        checks.append((False, N_("Seed differs: the file says %(file)s, the digest and public value "
                                 "give %(computed)s."), {"file": _brief(document["seed"]), "computed": seed}))
    try:
        result = perform(inputs, seed)
    except NoAssignment as exc:
        return fail(N_("The inputs admit no assignment: %(reason)s"), reason=" ".join(exc.lines()))
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return fail(N_("The inputs are not a valid draw notice: %(error)s."), error=repr(exc))
    theirs = document["result"] if isinstance(document["result"], dict) else {}
    differences = [_difference(key, result[key], theirs.get(key)) for key in RESULT_KEYS
                   if result[key] != theirs.get(key)]
    if not differences and set(theirs) == set(RESULT_KEYS):
        checks.append((True, N_("Result matches: %(panel)d experts on the panel, %(reserves)d reserves, "
                                "%(pairs)d assignments, objective %(objective)d."),
                       {"panel": len(result["panel"]), "reserves": len(result["reserves"]),
                        "pairs": len(result["assignment"]), "objective": result["objective"]}))
    elif not differences:
        differences.append((N_("Result differs: the file has other parts (%(parts)s)."),
                            {"parts": ", ".join(sorted(map(str, theirs)))}))
    checks.extend((False, message, params) for message, params in differences)
    return Verification(all(ok for ok, _, _ in checks), checks)
