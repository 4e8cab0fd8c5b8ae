"""After graduates are imported (by Excel and by the API), no identity number, nor any long run
of its digits, is anywhere: not in any column of any table, not in any SQL sent to the
database, not in the logs, not on the pages and messages shown, and not in the media folder
(the upload is deleted once imported)."""

import logging
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.surveys.employment.conftest import HEADER, identities, row, upload
from vetq.accounts.services import token_create
from vetq.surveys.models import GraduateRecord
from vetq.surveys.pseudonyms import pseudonym

pytestmark = pytest.mark.integration

A, B = "3202130901", "3202820901"
WINDOW = 12  # no run of this many characters of an identity number may appear anywhere


def _fragments(number: str) -> set[str]:
    """The number, its lower-case form and every run of WINDOW of its characters."""
    runs = {number[i:i + WINDOW] for i in range(len(number) - WINDOW + 1)}
    return runs | {number, number.lower(), number[:17]}


def _database_text() -> str:
    """Every value of every column of every table, as text."""
    parts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for values in cursor.fetchall():
                parts.extend(str(value) for value in values if value is not None)
    return "\n".join(parts)


def _leaks(text: str, numbers: list[str]) -> list[str]:
    return sorted({f for n in numbers for f in _fragments(n) if f in text})


def test_no_identity_number_is_left_anywhere_after_import(
        client, bureau_user, school_b_user, schools, caplog, settings,
        django_capture_on_commit_callbacks):
    caplog.set_level(logging.DEBUG)
    numbers = identities(8, seed=11)
    bad_check = numbers[6][:17] + ("0" if numbers[6][17] != "0" else "1")
    sheet = upload(HEADER, row(A, number=numbers[0]), row(A, "710201", number=numbers[1]),
                   row(B, number=numbers[2], destination="升学", in_field="", location="",
                       contract="", pay=""),
                   row(A, number=numbers[0]),  # the same graduate again: refused, masked
                   row(A, number=bad_check))  # a wrong check digit: refused, masked
    client.force_login(bureau_user)
    pages = []
    with CaptureQueriesContext(connection) as queries, \
            django_capture_on_commit_callbacks(execute=True):
        response = client.post("/data/graduates/import/", {"file": sheet}, follow=True)
        pages.append(response.content.decode())
        confirm = response.request["PATH_INFO"] + "confirm/"
        pages.append(client.post(confirm, follow=True).content.decode())
        _token, key = token_create(user=school_b_user, name="import")
        client.logout()
        api = client.post(
            "/api/data/graduates", content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {key}",
            data={"partial": True, "rows": [
                {"major": "660101", "cohort": 2018, "point": "one_year",
                 "identity_number": numbers[3], "destination": "employed", "pay": 5000},
                {"major": "660101", "cohort": 2018, "point": "one_year",
                 "identity_number": numbers[7][:17] + "Y", "destination": "employed"},
            ]})
        pages.append(api.content.decode())

    assert api.status_code == 200, api.content
    assert GraduateRecord.objects.count() == 4  # three by Excel, one by the API
    assert "3202**********" in pages[0]  # the refused rows name the numbers masked
    assert api.json()["written"] == 1
    everything = numbers + [bad_check, numbers[7][:17] + "Y"]
    stored = _database_text()
    assert pseudonym(numbers[0]) in stored  # the scan reads the records' table
    assert _leaks(f"x{numbers[0][3:15]}x", everything) != []  # and would see a run of digits
    assert _leaks(stored, everything) == []
    sent = "\n".join(f"{q['sql']}" for q in queries.captured_queries)
    assert _leaks(sent, everything) == []
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert _leaks(logged, everything) == []
    assert _leaks("\n".join(pages), everything) == []
    media = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert media == []
