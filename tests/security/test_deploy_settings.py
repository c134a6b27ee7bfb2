"""Production settings pass `check --deploy`; secrets come from the environment or
from NAME_FILE; secrets are never logged."""

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": secrets.token_urlsafe(64),
    "ALLOWED_HOSTS": "sada.example.gov.sa",
    "DJANGO_SETTINGS_MODULE": "helpdesk.settings",
}


def _run(code: str, extra_env: dict) -> subprocess.CompletedProcess:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SECURE_", "SESSION_", "CSRF_", "SECRET_KEY", "X_", "DEBUG"))
        # Set by the browser tests (Playwright) in this process; never in production.
        and k != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    env.update(PRODUCTION, **extra_env)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


CHECK = (
    "import django; django.setup(); from django.core.management import call_command; "
    "call_command('check', '--deploy', '--fail-level', 'WARNING')"
)


def test_check_deploy_reports_nothing_with_production_settings():
    result = _run(CHECK, {})
    assert result.returncode == 0, result.stderr + result.stdout
    assert "no issues" in (result.stdout + result.stderr)


@pytest.mark.parametrize(
    "weakened",
    [
        {"SECURE_SSL_REDIRECT": "0"},
        {"SESSION_COOKIE_SECURE": "0"},
        {"SECURE_HSTS_SECONDS": "0"},
    ],
)
def test_check_deploy_fails_when_a_protection_is_switched_off(weakened):
    assert _run(CHECK, weakened).returncode != 0


SHOW = (
    "import django; django.setup(); from django.conf import settings as s; "
    "print(repr((s.SECRET_KEY, s.X_CONSUMER_SECRET, s.SECURE_PROXY_SSL_HEADER)))"
)


def test_secrets_are_read_from_name_file(tmp_path):
    key = tmp_path / "secret_key"
    key.write_text(PRODUCTION["SECRET_KEY"][::-1] + "\n")
    x_secret = tmp_path / "x_secret"
    x_secret.write_text("consumer-secret-from-file\n")
    result = _run(
        SHOW,
        {
            "SECRET_KEY": "ignored-when-the-file-is-set",
            "SECRET_KEY_FILE": str(key),
            "X_CONSUMER_SECRET_FILE": str(x_secret),
            "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        },
    )
    assert result.returncode == 0, result.stderr
    assert eval(result.stdout) == (  # noqa: S307 - our own repr()
        PRODUCTION["SECRET_KEY"][::-1],
        "consumer-secret-from-file",
        ("HTTP_X_FORWARDED_PROTO", "https"),
    )


def test_no_secret_key_no_start():
    result = _run(SHOW, {"SECRET_KEY": ""})
    assert result.returncode != 0 and "SECRET_KEY must be set" in result.stderr


SECRET_NAMES = re.compile(
    r"(SECRET_KEY|CONSUMER_SECRET|ACCESS_TOKEN|BEARER_TOKEN|API_KEY|api_key|password|"
    r"secret|token|key_hash|raw_key)",
)
LOG_CALL = re.compile(r"\b(?:logger|logging|log)\.\w+\((.*?)\)\s*$", re.DOTALL)


def test_no_logging_call_passes_a_secret():
    """A static check: no logging call's arguments name a secret-holding value
    (the message text may mention one, e.g. "X_CONSUMER_SECRET is not set")."""
    offenders = []
    for path in list((ROOT / "cases").rglob("*.py")) + list((ROOT / "social_ingest").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        source = path.read_text()
        for match in re.finditer(
            r"\b(?:logger|logging|log)\.(?:debug|info|warning|error|exception|critical)\(", source
        ):
            depth, i = 1, match.end()
            while depth and i < len(source):
                depth += {"(": 1, ")": -1}.get(source[i], 0)
                i += 1
            call = source[match.end() : i - 1]
            # Drop string literals: the message may name a setting; arguments may not.
            arguments = re.sub(r"([rbfu]*)(\"\"\"[\s\S]*?\"\"\"|\"[^\"\n]*\"|'[^'\n]*')", "", call)
            if SECRET_NAMES.search(arguments):
                offenders.append(f"{path.relative_to(ROOT)}: {call.strip()[:120]}")
    assert offenders == []
