"""The format of the graduate sheet (R33): its columns, the other headers people write for
them, and the words each column accepts (the first of each is what the template and the
guide show). The headers and words are the file format, not UI text: a sheet must read the
same whatever language its author's browser uses, so they are fixed here, not translated.
The English codes (employed, half_year, local, …) are accepted too, for the API."""

import re
from decimal import Decimal

from vetq.core.excel import Column

COLUMNS = (
    Column("school", "学校代码", required=False, width=14),
    Column("major", "专业代码", width=12),
    Column("cohort", "毕业年份", width=10),
    Column("point", "跟踪时点", width=14),
    Column("identity_number", "身份证号", width=22),
    Column("destination", "毕业去向", width=12),
    Column("in_field", "专业对口", required=False, width=10),
    Column("location", "就业地点", required=False, width=10),
    Column("contract", "签订劳动合同", required=False, width=12),
    Column("pay", "月收入（元）", required=False, width=12),
    Column("satisfaction", "对母校满意度", required=False, width=14),
    Column("employer_satisfaction", "用人单位满意度", required=False, width=14),
)
KEYS = tuple(column.key for column in COLUMNS)
# Other headers people write for the same columns.
HEADER_ALIASES = {
    "school": ("学校标识码", "院校代码"),
    "identity_number": ("身份证号码", "身份证", "公民身份号码"),
    "cohort": ("毕业年度", "届别", "毕业届别"),
    "pay": ("月收入", "月收入(元)", "月薪", "起薪"),
    "satisfaction": ("母校满意度", "满意度"),
    "destination": ("去向",),
}

# The first word of each is what the template and the guide show.
POINT_WORDS = {
    "graduation": ("毕业时", "离校时", "毕业当年"),
    "half_year": ("毕业半年后", "半年后", "毕业半年", "半年"),
    "one_year": ("毕业一年后", "一年后", "毕业一年", "一年"),
    "three_years": ("毕业三年后", "三年后", "毕业三年", "三年"),
}
DESTINATION_WORDS = {
    "employed": ("就业", "单位就业", "受雇就业", "已就业"),
    "self_employed": ("自主创业", "创业"),
    "further_study": ("升学", "继续深造", "深造"),
    "not_employed": ("待就业", "未就业", "暂不就业"),
}
LOCATION_WORDS = {
    "local": ("本市", "市内", "无锡", "无锡市"),
    "province": ("省内", "江苏省内", "江苏"),
    "elsewhere": ("省外", "外省", "国内其他省份"),
    "abroad": ("境外", "国外", "出国"),
}
YES_WORDS = ("是", "y", "yes", "1", "true", "对口", "有")
NO_WORDS = ("否", "n", "no", "0", "false", "不对口", "无")
SATISFACTION_WORDS = {
    4: ("很满意", "非常满意", "4"), 3: ("满意", "3"), 2: ("不满意", "2"),
    1: ("很不满意", "非常不满意", "1"), None: ("无法评价", "无法判断", "说不清", ""),
}
COHORT = re.compile(r"([0-9]{4})\s*[届年]?(?:毕业生|毕业)?")
PAY = re.compile(r"[0-9]+(?:\.[0-9]{1,2})?")
PAY_MAX = Decimal("1000000")
EARLIEST_COHORT = 2000


def words_lookup(table: dict) -> dict[str, object]:
    lookup = {}
    for value, words in table.items():
        if isinstance(value, str):
            lookup[value] = value
        for word in words:
            lookup[word.lower()] = value
    return lookup


POINTS = words_lookup(POINT_WORDS)
DESTINATIONS = words_lookup(DESTINATION_WORDS)
LOCATIONS = words_lookup(LOCATION_WORDS)
SATISFACTION = words_lookup(SATISFACTION_WORDS)
YES_NO = {**dict.fromkeys(YES_WORDS, True), **dict.fromkeys(NO_WORDS, False)}


def word_list(table: dict) -> str:
    return "、".join(words[0] for words in table.values() if words[0])
