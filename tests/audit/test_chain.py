"""The audit log as stored: a hash chain that is append-only and says where it was broken."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory
from vetq.audit.chain import GENESIS, entry_hash
from vetq.audit.models import AppendOnlyError, AuditEntry, AuditHead
from vetq.audit.services import ChainReport, _hashed_fields, audit_log, audit_verify

pytestmark = pytest.mark.integration


@pytest.fixture
def three_entries(db):
    return [
        audit_log(action="test.first", object_type="test.thing", object_id=1, object_repr="一"),
        audit_log(action="test.second", object_repr="二", after={"amount": "100000.00"}),
        audit_log(action="test.third", object_repr="三", before={"b": 2, "a": [1]}),
    ]


def test_audit_log_links_each_entry_to_the_one_before(three_entries):
    first, second, third = AuditEntry.objects.order_by("id")
    assert first.prev_hash == GENESIS
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert [e.pk for e in (first, second, third)] == [e.pk for e in three_entries]
    head = AuditHead.objects.get()
    assert (head.last_hash, head.count) == (third.hash, 3)


def test_audit_log_records_actor_and_object(db):
    user = UserFactory(username="bureau")

    entry = audit_log(action="test.act", actor=user, obj=user, after={"k": "v"})

    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.actor == user
    assert stored.actor_name == "bureau"
    assert stored.object_type == "accounts.user"
    assert stored.object_id == str(user.pk)
    assert stored.after == {"k": "v"}


def test_audit_verify_of_intact_chain_is_ok(three_entries):
    report = audit_verify()
    assert report == ChainReport(checked=3)
    assert report.ok is True


def test_audit_verify_of_empty_log_is_ok(db):
    assert audit_verify() == ChainReport(checked=0)


def test_audit_verify_of_tampered_entry_names_it(three_entries, raw_audit_sql):
    second = three_entries[1]
    raw_audit_sql("UPDATE audit_auditentry SET object_repr = %s WHERE id = %s", ["改", second.pk])

    report = audit_verify()

    assert report == ChainReport(1, second.pk, "its contents do not match its hash")
    assert report.ok is False


def test_audit_verify_of_rewritten_and_rehashed_entry_names_the_next_one(
    three_entries, raw_audit_sql
):
    # whoever rewrites an entry and recomputes its hash still breaks the link from the next one
    second, third = three_entries[1], three_entries[2]
    forged = AuditEntry.objects.get(pk=second.pk)
    forged.object_repr = "改"
    forged_hash = entry_hash(forged.prev_hash, _hashed_fields(forged))
    raw_audit_sql(
        "UPDATE audit_auditentry SET object_repr = %s, hash = %s WHERE id = %s",
        ["改", forged_hash, second.pk],
    )

    report = audit_verify()

    assert report == ChainReport(
        2, third.pk, "its previous-hash does not match the entry before it"
    )


def test_audit_verify_of_deleted_middle_entry_names_the_next_one(three_entries, raw_audit_sql):
    second, third = three_entries[1], three_entries[2]
    raw_audit_sql("DELETE FROM audit_auditentry WHERE id = %s", [second.pk])

    report = audit_verify()

    assert report == ChainReport(
        1, third.pk, "its previous-hash does not match the entry before it"
    )


def test_audit_verify_of_deleted_last_entry_reports_chain_head(three_entries, raw_audit_sql):
    raw_audit_sql("DELETE FROM audit_auditentry WHERE id = %s", [three_entries[2].pk])

    report = audit_verify()

    assert report == ChainReport(
        2, None, "the chain head does not match the last entry: entries were removed"
    )


def test_audit_verify_of_deleted_head_reports_it(three_entries):
    AuditHead.objects.all().delete()

    assert audit_verify() == ChainReport(3, None, "the chain head is missing")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_audit_trigger_refuses_raw_update_and_delete(three_entries):
    entry = three_entries[0]
    with connection.cursor() as cursor:
        with pytest.raises(DatabaseError) as exc, transaction.atomic():
            cursor.execute("UPDATE audit_auditentry SET object_repr = %s WHERE id = %s", ["x", entry.pk])
        assert "audit entries are append-only" in str(exc.value)
        with pytest.raises(DatabaseError) as exc, transaction.atomic():
            cursor.execute("DELETE FROM audit_auditentry WHERE id = %s", [entry.pk])
        assert "audit entries are append-only" in str(exc.value)
    assert audit_verify() == ChainReport(checked=3)


def test_audit_entry_orm_update_is_refused(three_entries):
    entry = three_entries[0]
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(object_repr="x")
    entry.object_repr = "x"
    with pytest.raises(AppendOnlyError):
        entry.save()
    assert AuditEntry.objects.get(pk=entry.pk).object_repr == "一"


def test_audit_entry_orm_delete_is_refused(three_entries):
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        three_entries[0].delete()
    assert AuditEntry.objects.count() == 3


def test_deleting_a_user_who_acted_is_refused_and_chain_stays_intact(db):
    user = UserFactory(username="acted")
    audit_log(action="test.act", actor=user)

    with pytest.raises(ProtectedError), transaction.atomic():
        user.delete()

    assert audit_verify() == ChainReport(checked=1)


def test_audit_log_rolled_back_with_its_transaction_leaves_chain_intact(three_entries):
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_log(action="test.rolled_back")
        raise RuntimeError("the change failed")
    audit_log(action="test.after")

    assert audit_verify() == ChainReport(checked=4)


def test_audit_log_of_ipv6_address_verifies_after_reading_back(db):
    entry = audit_log(action="test.ip", ip_address="2001:DB8::1")

    assert AuditEntry.objects.get(pk=entry.pk).ip_address == "2001:db8::1"
    assert audit_verify() == ChainReport(checked=1)


def test_audit_log_of_something_not_an_address_drops_it(db):
    entry = audit_log(action="test.ip", ip_address="unknown")

    assert AuditEntry.objects.get(pk=entry.pk).ip_address is None
    assert audit_verify() == ChainReport(checked=1)


def test_audit_verify_command_of_intact_chain_says_so(three_entries):
    out = StringIO()
    call_command("audit", "verify", stdout=out)
    assert out.getvalue() == "audit chain intact: 3 entries checked\n"


def test_audit_verify_command_of_broken_chain_names_entry(three_entries, raw_audit_sql):
    second = three_entries[1]
    raw_audit_sql("UPDATE audit_auditentry SET after = NULL WHERE id = %s", [second.pk])

    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify", stdout=StringIO())

    assert str(exc.value) == (
        f"audit chain broken at entry #{second.pk}: its contents do not match its hash "
        "(1 entries before it are intact)"
    )


def test_audit_verify_command_of_removed_last_entry_names_chain_head(three_entries, raw_audit_sql):
    raw_audit_sql("DELETE FROM audit_auditentry WHERE id = %s", [three_entries[2].pk])

    with pytest.raises(CommandError) as exc:
        call_command("audit", "verify", stdout=StringIO())

    assert str(exc.value) == (
        "audit chain broken at chain head: the chain head does not match the last entry: "
        "entries were removed (2 entries before it are intact)"
    )


def test_login_is_audited(client, db):
    user = UserFactory(username="teacher")

    response = client.post(reverse("accounts:login"), {"username": "teacher", "password": PASSWORD})

    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="auth.login")
    assert entry.actor == user
    assert entry.actor_name == "teacher"
    assert entry.object_id == str(user.pk)
    assert entry.ip_address == "127.0.0.1"
    assert audit_verify().ok is True


def test_failed_login_is_audited_without_the_password(client, db):
    UserFactory(username="teacher")

    response = client.post(reverse("accounts:login"), {"username": "teacher", "password": "wrong"})

    assert response.status_code == 200
    entry = AuditEntry.objects.get(action="auth.login_failed")
    assert entry.actor is None
    assert entry.object_type == "accounts.user"
    assert entry.object_repr == "teacher"
    assert entry.after == {"username": "teacher"}
    assert entry.ip_address == "127.0.0.1"
    assert AuditEntry.objects.filter(action="auth.login").count() == 0
    assert audit_verify().ok is True
