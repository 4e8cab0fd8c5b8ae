"""The major–industry mapping as Excel: exported one weight a row, and imported in the same
shape, all or nothing. Each catalogue code in an imported file gets exactly the industries
the file gives it; codes not in the file keep theirs. The headers are the file format."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from vetq.core.excel import Column, ExcelRefused, RowError, SheetSpec, workbook_build, workbook_read
from vetq.institutions.models import Industry

from .data import is_bureau
from .data_mapping import CATALOGUE_CODE, mapping_replace, weight_parse
from .data_queries import mapping_rows
from .errors import SurveyRefused
from .imports_values import ValueRefused

SHEET_TITLE = "专业产业对应"
MAPPING_COLUMNS = (
    Column("catalogue_code", "专业代码", width=12),
    Column("major_name", "专业名称", required=False, width=28),
    Column("industry", "产业", width=24, aliases=("产业领域", "服务产业")),
    Column("weight", "权重", required=False, width=8),
)


def mapping_workbook() -> bytes:
    """Every weight held, one row each, by catalogue code; codes taught but not mapped get
    a row without an industry, so the bureau can fill them in."""
    rows = []
    for row in mapping_rows():
        name = row.names[0] if row.names else ""
        if not row.weights:
            rows.append((row.catalogue_code, name, "", None))
        for weight in row.weights:
            rows.append((row.catalogue_code, name, weight.industry.name, float(weight.weight)))
    return workbook_build(SheetSpec(SHEET_TITLE, MAPPING_COLUMNS, rows))


@dataclass
class MappingImport:
    codes: int = 0
    weights: int = 0
    errors: list[RowError] = field(default_factory=list)
    refused: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors and not self.refused


def mapping_import(*, file, by) -> MappingImport:
    """Replace the weights of each catalogue code in the file with the file's. A row without
    an industry names a code to leave unmapped. Writes nothing when any row is bad: a code
    that is not 4–12 digits, an unknown industry, a weight that is not above 0, an industry
    repeated for a code. Refuses anyone but the bureau (SurveyRefused)."""
    if not is_bureau(by):
        raise SurveyRefused(_("Only the education bureau edits the major–industry mapping."))
    try:
        sheet = workbook_read(file, MAPPING_COLUMNS, sheet_names=(SHEET_TITLE,))
    except ExcelRefused as refusal:
        return MappingImport(refused=refusal.message)
    industries = {}
    for industry in Industry.objects.all():
        for name in (industry.code, industry.name, industry.name_en):
            if name:
                industries.setdefault(name.lower(), industry)
    weights: dict[str, dict[int, object]] = defaultdict(dict)
    seen: dict[tuple[str, int], int] = {}
    for row in sheet.rows:
        code = row["catalogue_code"]
        if not CATALOGUE_CODE.fullmatch(code):
            sheet.error(row, "catalogue_code", _("A catalogue code is 4 to 12 digits."))
            continue
        weights.setdefault(code, {})
        if not row["industry"]:
            continue
        industry = industries.get(row["industry"].lower())
        if industry is None:
            sheet.error(row, "industry", _("Unknown industry “%(name)s”; write one of the "
                                           "program's industries.") % {"name": row["industry"]})
            continue
        if (code, industry.pk) in seen:
            sheet.error(row, "industry", _("Repeated in this file: also on row %(row)d.")
                        % {"row": seen[code, industry.pk]})
            continue
        seen[code, industry.pk] = row.number
        try:
            weights[code][industry.pk] = weight_parse(row["weight"] or "1")
        except ValueRefused as refusal:
            sheet.error(row, "weight", str(refusal))
    if sheet.errors:
        return MappingImport(errors=sheet.errors)
    written = mapping_replace(weights=weights, by=by, action="surveys.mapping_import")
    return MappingImport(codes=len(weights), weights=written)
