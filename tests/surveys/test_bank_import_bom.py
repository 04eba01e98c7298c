"""A bank file saved by a Windows editor starts with a UTF-8 byte order mark; the admin's import,
the `import_bank` command and the shipped banks read it like any other file (issue #16)."""

import codecs
import io
import json

import pytest
from django.core.management import call_command
from django.urls import reverse

from apps.surveys import bank_services
from apps.surveys.models import QuestionBank
from tests.surveys.bank_data import small_bank

pytestmark = pytest.mark.django_db


def with_bom(data: dict) -> bytes:
    return codecs.BOM_UTF8 + json.dumps(data, ensure_ascii=False).encode("utf-8")


def test_the_admin_imports_a_file_with_a_byte_order_mark(admin_client):
    handle = io.BytesIO(with_bom(small_bank(slug="windows")))
    handle.name = "windows.json"
    response = admin_client.post(reverse("admin:surveys_questionbank_import"), {"file": handle})
    bank = QuestionBank.objects.get(slug="windows")
    assert response.status_code == 302
    assert response["Location"] == reverse("admin:surveys_questionbank_change", args=[bank.pk])
    assert bank.questions.count() == 4


def test_the_command_imports_a_file_with_a_byte_order_mark(tmp_path):
    path = tmp_path / "windows.json"
    path.write_bytes(with_bom(small_bank(slug="windows-cli")))
    out = io.StringIO()
    call_command("import_bank", str(path), stdout=out)
    assert "Imported" in out.getvalue()
    assert QuestionBank.objects.get(slug="windows-cli").questions.count() == 4


def test_a_byte_order_mark_inside_the_text_is_still_not_json(admin_client):
    """Only a mark at the very start is dropped; one elsewhere is what it is: not JSON."""
    handle = io.BytesIO(b'{"slug": ' + codecs.BOM_UTF8 + b'"x"}')
    handle.name = "odd.json"
    response = admin_client.post(reverse("admin:surveys_questionbank_import"), {"file": handle})
    assert response.status_code == 400
    assert "The file is not valid JSON" in response.content.decode()


def test_shipped_banks_with_a_byte_order_mark_install(tmp_path):
    for path in bank_services.SHIPPED_BANKS_DIR.glob("*.json"):
        data = json.loads(path.read_text(encoding="utf-8"))
        data["version"] += 100
        (tmp_path / path.name).write_bytes(with_bom(data))
    installed = bank_services.install_shipped_banks(tmp_path)
    assert installed and all(bank.version > 100 for bank in installed)
