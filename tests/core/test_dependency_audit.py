"""The CI dependency audit (.ci/audit.py) fails on a fixable vulnerability and never mistakes an
unreachable vulnerability service for a clean bill of health."""

import importlib.util
from pathlib import Path

import pytest

pytestmark = pytest.mark.pure

spec = importlib.util.spec_from_file_location(
    "ci_audit", Path(__file__).resolve().parents[2] / ".ci" / "audit.py"
)
audit = importlib.util.module_from_spec(spec)
spec.loader.exec_module(audit)


def dep(name, version, *vulns):
    return {"name": name, "version": version, "vulns": list(vulns)}


def test_a_vulnerability_with_a_fix_fails():
    report = {
        "dependencies": [
            dep("django", "6.1.0", {"id": "PYSEC-2026-1", "fix_versions": ["6.1.1"]}),
            dep("celery", "5.7.0"),
        ]
    }
    code, lines = audit.verdict(report)
    assert code == 1
    assert "django 6.1.0: PYSEC-2026-1 (fixed in 6.1.1)" in lines
    assert (
        lines[-1]
        == "Audited 2 locked packages (0 skipped): 1 known vulnerabilities with a fix available."
    )


def test_a_vulnerability_without_a_fix_is_reported_but_does_not_fail():
    report = {"dependencies": [dep("pypdf", "6.0.0", {"id": "GHSA-x", "fix_versions": []})]}
    code, lines = audit.verdict(report)
    assert code == 0 and "pypdf 6.0.0: GHSA-x (no fix released yet)" in lines


def test_when_every_package_was_skipped_it_says_nothing_was_audited(monkeypatch):
    skipped = {"name": "amqp", "skip_reason": "Dependency not found on PyPI"}
    code, lines = audit.verdict({"dependencies": [skipped, skipped]})
    assert code == 0 and lines[-1].startswith("NOT AUDITED")
    monkeypatch.setenv("AUDIT_STRICT", "1")
    assert audit.verdict({"dependencies": [skipped]})[0] == 2


@pytest.mark.parametrize("report", [{"dependencies": [dep("redis", "7.0.0")]}])
def test_a_clean_audit_passes(report):
    assert audit.verdict(report) == (
        0,
        ["Audited 1 locked packages (0 skipped): 0 known vulnerabilities with a fix available."],
    )
