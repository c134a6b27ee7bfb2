"""CI audits the pinned dependencies (scripts/audit, run by .ci/run): a known
vulnerability fails it; an unreachable advisory service is a loud warning."""

import os
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_ci_runs_the_audit_and_pip_audit_is_pinned():
    ci = (ROOT / ".ci" / "run").read_text()
    assert re.search(r"^scripts/audit\s*$", ci, re.MULTILINE)
    assert ci.index("ruff check") < ci.index("\nscripts/audit") < ci.index("scripts/test -q")
    assert re.search(r"^pip-audit==[\d.]+$", (ROOT / "requirements-dev.txt").read_text(), re.M)


def _audit_with_fake_pip_audit(tmp_path, output: str, status: int):
    fake = tmp_path / "pip-audit"
    fake.write_text(f"#!/bin/sh\ncat <<'OUT'\n{output}\nOUT\nexit {status}\n")
    fake.chmod(0o755)
    env = {**os.environ, "PATH": f"{tmp_path}:{os.environ['PATH']}"}
    return subprocess.run(
        [str(ROOT / "scripts" / "audit")], env=env, capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("output", "status", "fails", "warns"),
    [
        ("Found 2 known vulnerabilities in 1 package\nrequests 2.0 GHSA-x 2.32", 1, True, False),
        ("No known vulnerabilities found", 0, False, False),
        ("ConnectionError: could not reach https://pypi.org", 1, False, True),
        (
            "django  Dependency not found on PyPI and could not be audited: django (5.2)",
            0,
            False,
            True,
        ),
    ],
)
def test_audit_outcomes(tmp_path, output, status, fails, warns):
    result = _audit_with_fake_pip_audit(tmp_path, output, status)
    assert (result.returncode != 0) is fails, result.stderr
    assert ("WARNING: DEPENDENCY AUDIT" in result.stderr) is warns
