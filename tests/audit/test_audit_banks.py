"""Question bank actions in the audit log (banks belong to no organization: platform entries,
read in Django admin): exactly one entry each, none for a refused attempt."""

import pytest

from apps.core.models import AuditEntry
from apps.surveys.bank_format import BankFormatError
from apps.surveys.bank_services import (
    BankNotReady,
    bank_import,
    bank_new_draft,
    bank_publish,
    bank_retire,
)
from tests.surveys.bank_data import small_bank

pytestmark = pytest.mark.django_db


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def test_import_publish_new_draft_and_retire():
    before = AuditEntry.objects.count()
    draft = bank_import(small_bank())
    [imported] = entries("bank.imported")[-1:]
    assert imported.after["status"] == "draft" and imported.organization is None
    with pytest.raises(BankFormatError):
        bank_import(small_bank())  # the same version again: refused
    with pytest.raises(BankFormatError):
        bank_import({"slug": "broken"})
    assert AuditEntry.objects.count() == before + 1

    published = bank_publish(bank=draft)
    with pytest.raises(BankNotReady):
        bank_publish(bank=published)  # published already: refused
    assert [entry.object_id for entry in entries("bank.published")] == [str(published.pk)]

    second = bank_new_draft(bank=published)
    with pytest.raises(BankFormatError):
        bank_new_draft(bank=published)  # a draft exists already: refused
    [cloned] = entries("bank.draft_created")
    assert (cloned.before["version"], cloned.after["version"]) == (
        published.version,
        second.version,
    )

    bank_retire(bank=published)
    bank_retire(bank=published)  # retired already: nothing changes, nothing logged
    assert len(entries("bank.retired")) == 1
    assert AuditEntry.objects.count() == before + 4
