"""Building uploaded workbooks and reading exported ones in tests."""

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

INSTITUTION_HEADER = ["学校代码", "学校名称", "英文名称", "学校类型", "所属地区", "主管部门"]
MAJOR_HEADER = ["学校代码", "专业代码", "专业名称", "服务产业", "骨干专业"]


def xlsx_upload(*rows, name: str = "upload.xlsx") -> SimpleUploadedFile:
    """An uploaded .xlsx whose first sheet holds `rows` from A1 down."""
    workbook = Workbook()
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def upload_of(content: bytes, name: str = "export.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def sheet_values(content: bytes, sheet: int = 0) -> list[tuple]:
    workbook = load_workbook(io.BytesIO(content))
    return [tuple(row) for row in workbook.worksheets[sheet].iter_rows(values_only=True)]
