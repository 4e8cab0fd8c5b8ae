"""What each kind of yearly data looks like as a sheet: its columns with their Chinese headers
(and the other headers accepted), the sheet name templates carry, and which columns hold
the figures (a row without any is skipped).

The headers are the file format, not UI text: a sheet must read the same whatever language
its author's browser uses, and a template must re-import unchanged.
"""

from dataclasses import dataclass

from vetq.core.excel import Column

from .models import Dataset, ExamKind
from .resource_table import INDICATORS

CITY_WORDS = ("全市", "全市合计", "无锡市", "市区合计", "city")
EXAM_KIND_WORDS = {
    ExamKind.ACADEMIC: ("学业水平考试", "学业水平测试", "学测", "academic"),
    ExamKind.SKILL: ("技能抽测", "技能抽查", "技能测试", "skill"),
}
EXAM_KIND_LABELS = {ExamKind.ACADEMIC: "学业水平考试", ExamKind.SKILL: "技能抽测"}

_SCHOOL = (
    Column("institution_code", "学校代码", required=False, width=14, aliases=("学校标识码",)),
    Column("institution_name", "学校名称", required=False, width=30),
)
_YEAR = Column("year", "年份", required=False, width=8)


@dataclass(frozen=True)
class DatasetSpec:
    dataset: str
    sheet_title: str  # the template's sheet, looked for first on import
    columns: tuple[Column, ...]
    figures: tuple[str, ...]  # a row with all of these blank holds no data and is skipped
    school_level: bool = True  # entered by schools (else by the bureau only)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    @property
    def headers(self) -> dict[str, str]:
        return {c.key: c.header for c in self.columns}


ENROLMENT = DatasetSpec(
    Dataset.ENROLMENT, "招生与在校生",
    (*_SCHOOL,
     Column("catalogue_code", "专业代码", width=12),
     Column("major_name", "专业名称", required=False, width=24),
     Column("enrolled", "招生数（人）", width=12, aliases=("招生数", "招生人数")),
     Column("students", "在校生数（人）", width=12, aliases=("在校生数", "在校生人数")),
     Column("graduates", "毕业生数（人）", width=12, aliases=("毕业生数", "毕业生人数")),
     _YEAR),
    ("enrolled", "students", "graduates"),
)
RESOURCES = DatasetSpec(
    Dataset.RESOURCES, "资源表",
    (*_SCHOOL,
     *(Column(i.code, i.header, required=i.required, width=14, aliases=(i.name,))
       for i in INDICATORS),
     _YEAR),
    tuple(i.code for i in INDICATORS),
)
INDUSTRY = DatasetSpec(
    Dataset.INDUSTRY, "产业结构",
    (Column("region", "地区", required=False, width=12, aliases=("市（县）区", "区域")),
     Column("industry", "产业", width=24, aliases=("产业领域", "产业名称")),
     Column("output_value", "产值（万元）", width=16, aliases=("产值", "总产值（万元）")),
     Column("employment", "从业人数（人）", width=14, aliases=("从业人数", "从业人员")),
     Column("source", "数据来源", required=False, width=30, aliases=("来源",)),
     _YEAR),
    ("output_value", "employment"),
    school_level=False,
)
EXAMS = DatasetSpec(
    Dataset.EXAMS, "考试与技能抽测",
    (*_SCHOOL,
     Column("catalogue_code", "专业代码", required=False, width=12),
     Column("major_name", "专业名称", required=False, width=24),
     Column("kind", "考试类别", width=14, aliases=("类别", "考试类型")),
     Column("subject", "科目", width=20, aliases=("科目名称", "测试项目")),
     Column("candidates", "参考人数", width=10, aliases=("考生人数",)),
     Column("passed", "合格人数", width=10, aliases=("通过人数",)),
     Column("excellent", "优秀人数", required=False, width=10),
     _YEAR),
    ("candidates", "passed", "excellent"),
)
SPECS: dict[str, DatasetSpec] = {s.dataset: s for s in (ENROLMENT, RESOURCES, INDUSTRY, EXAMS)}
