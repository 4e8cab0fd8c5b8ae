"""Read, validate and load a policy file. A bad file is refused whole: nothing is written."""

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from pydantic import ValidationError

from vetq.audit.services import audit_log
from vetq.institutions.models import Department, Industry, Region

from ..models import Category, Program, SubsidyRule
from .errors import PolicyError, PolicyProblem, find_line, key_path
from .schema import Policy, ReferenceProblems


def policy_parse(path: Path | str) -> tuple[Policy, str]:
    """Parse and validate a policy file; return it with the file's SHA-256. Raises PolicyError."""
    path = Path(path)
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as exc:
        problem = PolicyProblem("", None, f"cannot read the file: {exc.strerror or exc}")
        raise PolicyError(name, [problem]) from exc
    try:
        # utf-8-sig: editors on Windows often save UTF-8 with a byte-order mark
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise PolicyError(name, [PolicyProblem("", line, "the file is not UTF-8 text")]) from exc
    try:
        data = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        line = _toml_error_line(str(exc))
        raise PolicyError(name, [PolicyProblem("", line, f"not valid TOML: {exc}")]) from exc
    try:
        policy = Policy.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_url=False):
            error = err.get("ctx", {}).get("error")
            if isinstance(error, ReferenceProblems):
                problems.extend(
                    PolicyProblem(key_path(loc), find_line(text, loc), message)
                    for loc, message in error.problems
                )
                continue
            loc = err["loc"]
            if err["type"] in {"union_tag_invalid", "union_tag_not_found"}:
                loc = (*loc, "kind")
            problems.append(PolicyProblem(key_path(loc), find_line(text, loc), _reason(err)))
        raise PolicyError(name, problems) from exc
    return policy, hashlib.sha256(raw).hexdigest()


def _toml_error_line(message: str) -> int | None:
    marker = "(at line "
    if marker in message:
        digits = message.split(marker, 1)[1].split(",", 1)[0]
        if digits.isdigit():
            return int(digits)
    return None


def _reason(err: dict) -> str:
    if err["type"] == "extra_forbidden":
        return "unknown key (is it misspelt?)"
    if err["type"] == "missing":
        return "required key is missing"
    if err["type"] == "union_tag_invalid":
        ctx = err["ctx"]
        return f"unknown subsidy kind {ctx['tag']!r} (expected {ctx['expected_tags']})"
    if err["type"] == "union_tag_not_found":
        return "required key is missing"
    message = err["msg"]
    return message.removeprefix("Value error, ")


@dataclass
class LoadResult:
    program: Program
    created: bool
    changes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return self.created or bool(self.changes)


def _upsert(model, code: str, values: dict, changes: list[str], label: str):
    obj = model.objects.filter(code=code).first()
    if obj is None:
        obj = model.objects.create(code=code, **values)
        changes.append(f"{label} {code}: added")
        return obj
    differing = {k: v for k, v in values.items() if getattr(obj, k) != v}
    if differing:
        for key, value in differing.items():
            setattr(obj, key, value)
        obj.save(update_fields=list(differing))
        changes.append(f"{label} {code}: {', '.join(sorted(differing))} changed")
    return obj


def _rule_fields(subsidy) -> dict:
    data = subsidy.model_dump()
    return {
        "kind": data["kind"],
        "amount_yuan": data.get("amount_yuan"),
        "min_yuan": data.get("min_yuan"),
        "max_yuan": data.get("max_yuan"),
        "per_year_yuan": data.get("per_year_yuan"),
        "bonus_yuan": data.get("bonus_yuan"),
        "bonus_if": data.get("bonus_if", ""),
        "total_yuan": data.get("total_yuan"),
        "tranches": data.get("tranches"),
    }


def _same_rule(rule: SubsidyRule, fields: dict) -> bool:
    for key, value in fields.items():
        current = getattr(rule, key)
        if isinstance(value, Decimal) and current is not None:
            if Decimal(current) != value:
                return False
        elif current != value:
            return False
    return True


@transaction.atomic
def policy_load(*, path: Path | str, actor=None) -> LoadResult:
    """Load a policy file into the database: regions, departments, industries, the program,
    its categories and subsidy rules, and audit what changed. Loading the same file again
    changes nothing and writes nothing.

    A changed subsidy rule becomes a new rule version (old grants keep the version they came
    from). Categories missing from the file are deactivated, never deleted. Refuses a file that
    does not parse or validate (PolicyError) before anything is written.
    """
    path = Path(path)
    policy, digest = policy_parse(path)
    changes: list[str] = []

    # Idempotence comes from comparing every value, not from the file's digest: a row edited
    # by hand since the last load is put back, and the audit entry says so.
    regions = {}
    for order, entry in enumerate(policy.regions):
        regions[entry.code] = _upsert(
            Region, entry.code,
            {"name": entry.name, "name_en": entry.name_en, "kind": entry.kind, "order": order},
            changes, "region",
        )
    for order, entry in enumerate(policy.departments):
        _upsert(Department, entry.code,
                {"name": entry.name, "name_en": entry.name_en, "order": order}, changes, "department")
    industries = []
    for order, entry in enumerate(policy.industries):
        industries.append(_upsert(
            Industry, entry.code,
            {"name": entry.name, "name_en": entry.name_en, "is_pillar": entry.pillar, "order": order},
            changes, "industry",
        ))

    p = policy.program
    program_values = {
        "title": p.title,
        "title_en": p.title_en,
        "document": p.document,
        "period_start": p.period[0],
        "period_end": p.period[1],
        "budget_yuan": p.budget_yuan,
        "commissioned_paid_by_city": policy.payers.commissioned_paid_by_city,
    }
    file_values = {
        "policy_file": path.name,
        "policy_sha256": digest,
        "policy": json.loads(policy.model_dump_json()),
    }
    program = Program.objects.select_for_update().filter(code=p.code).first()
    created = program is None
    if created:
        program = Program.objects.create(
            code=p.code, loaded_at=timezone.now(), **program_values, **file_values
        )
        changes.append(f"program {p.code}: added")
    else:
        for key, value in program_values.items():
            if getattr(program, key) != value:
                changes.append(f"program {key}: {getattr(program, key)} → {value}")
                setattr(program, key, value)
        if program.policy_sha256 != digest:
            changes.append(f"policy file sha256: {program.policy_sha256[:16]}… → {digest[:16]}…")

    # R28: who pays is policy too, so a changed list of self-funded regions is a change
    _set_related(program.self_funded_regions, [regions[c] for c in policy.payers.self_funded_regions],
                 changes, "payers self_funded_regions", report=not created)
    _set_related(program.industries, industries, changes, "program industries", report=not created)

    seen = []
    for order, entry in enumerate(policy.categories):
        values = {
            "requirement": entry.requirement,
            "name": entry.name,
            "name_en": entry.name_en,
            "target": entry.target,
            "is_award": entry.award,
            "eligible_types": list(entry.eligible),
            "construction_years": entry.construction_years,
            "form": entry.form.model_dump(mode="json"),
            "order": order,
            "active": True,
        }
        category = Category.objects.filter(program=program, code=entry.code).first()
        if category is None:
            category = Category.objects.create(program=program, code=entry.code, **values)
            changes.append(f"category {entry.code}: added")
        else:
            differing = {k: v for k, v in values.items() if getattr(category, k) != v}
            if differing:
                for key, value in differing.items():
                    changes.append(f"category {entry.code} {key}: {getattr(category, key)} → {value}")
                    setattr(category, key, value)
                category.save(update_fields=list(differing))
        fields = _rule_fields(entry.subsidy)
        latest = category.subsidy_rules.order_by("-version").first()
        if latest is None or not _same_rule(latest, fields):
            version = 1 if latest is None else latest.version + 1
            SubsidyRule.objects.create(
                category=category, version=version, policy_sha256=digest, **fields
            )
            if latest is not None:
                changes.append(f"category {entry.code}: subsidy rule version {version}")
        seen.append(category.pk)
    for category in program.categories.filter(active=True).exclude(pk__in=seen):
        category.active = False
        category.save(update_fields=["active"])
        changes.append(f"category {category.code}: no longer in the file, deactivated")

    if not changes:
        return LoadResult(program=program, created=False)
    if not created:
        for key, value in file_values.items():
            setattr(program, key, value)
        program.loaded_at = timezone.now()
        program.save()
    audit_log(
        action="policy.load",
        actor=actor,
        obj=program,
        after={"file": path.name, "sha256": digest, "changes": changes},
    )
    return LoadResult(program=program, created=created, changes=changes)


def _set_related(manager, wanted: list, changes: list[str], label: str, *, report: bool) -> None:
    current = {obj.pk: obj.code for obj in manager.all()}
    new = {obj.pk: obj.code for obj in wanted}
    if current == new:
        return
    manager.set(wanted)
    if report:
        changes.append(f"{label}: {sorted(current.values())} → {sorted(new.values())}")
