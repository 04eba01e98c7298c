#!/usr/bin/env python3
"""Audit the locked dependencies (uv.lock) with pip-audit; fail on a known vulnerability that
has a fixed release. Run by `make audit` and CI.

pip-audit asks a vulnerability service (PyPI's JSON API, or OSV) about each pinned release.
Where that service cannot be reached, pip-audit skips every package and still says "No known
vulnerabilities found"; this script says plainly that nothing was audited instead (and fails
with AUDIT_STRICT=1).
"""

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

PIP_AUDIT = "pip-audit==2.9.0"
ROOT = Path(__file__).resolve().parent.parent


def verdict(report: dict) -> tuple[int, list[str]]:
    """(exit code, lines to print) for pip-audit's JSON report."""
    dependencies = report.get("dependencies", [])
    audited = [d for d in dependencies if "skip_reason" not in d]
    lines, fixable = [], 0
    for dependency in audited:
        for vuln in dependency.get("vulns", []):
            fixes = vuln.get("fix_versions") or []
            fixable += bool(fixes)
            fix = f"fixed in {', '.join(fixes)}" if fixes else "no fix released yet"
            lines.append(f"{dependency['name']} {dependency['version']}: {vuln['id']} ({fix})")
    if dependencies and not audited:
        lines.append(
            f"NOT AUDITED: the vulnerability service answered for none of the "
            f"{len(dependencies)} locked packages (unreachable from this network?)."
        )
        return (2 if os.environ.get("AUDIT_STRICT") == "1" else 0), lines
    skipped = len(dependencies) - len(audited)
    lines.append(
        f"Audited {len(audited)} locked packages ({skipped} skipped): "
        f"{fixable} known vulnerabilities with a fix available."
    )
    return (1 if fixable else 0), lines


def pip_audit(uv: str, requirements: Path, service: str) -> dict | None:
    run = subprocess.run(
        [
            uv,
            "tool",
            "run",
            PIP_AUDIT,
            "--requirement",
            str(requirements),
            "--no-deps",
            "--disable-pip",
            "--format",
            "json",
            "--progress-spinner",
            "off",
            "--vulnerability-service",
            service,
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    try:
        return json.loads(run.stdout)
    except json.JSONDecodeError:
        print(f"pip-audit ({service}) gave no report: {run.stderr.strip()[-500:]}")
        return None


def main() -> int:
    uv = sys.argv[1] if len(sys.argv) > 1 else "uv"
    code, lines = 2 if os.environ.get("AUDIT_STRICT") == "1" else 0, ["NOT AUDITED."]
    with tempfile.TemporaryDirectory() as folder:
        requirements = Path(folder) / "requirements.txt"
        subprocess.run(
            [
                uv,
                "export",
                "--frozen",
                "--no-hashes",
                "--no-emit-project",
                "--quiet",
                "--format",
                "requirements-txt",
                "--output-file",
                str(requirements),
            ],
            cwd=ROOT,
            check=True,
        )
        for service in ("pypi", "osv"):  # the second where the first cannot be reached
            report = pip_audit(uv, requirements, service)
            if report is not None:
                code, lines = verdict(report)
                if not lines[-1].startswith("NOT AUDITED"):
                    break
    print("\n".join(lines))
    return code


if __name__ == "__main__":
    sys.exit(main())
