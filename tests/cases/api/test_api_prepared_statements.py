"""DB_PREPARED_STATEMENTS: on PostgreSQL the server binds parameters and prepares the
statements a connection repeats (the API's key, page and case reads), unless turned
off for a pooler that cannot keep prepared statements."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from tests.cases.api.conftest import key_client, make_key, open_case

ROOT = Path(__file__).resolve().parents[3]
SHOW = (
    "from django.conf import settings; "
    "print(repr(settings.DATABASES['default'].get('OPTIONS', {})))"
)


def _options(**env: str) -> dict:
    environ = {k: v for k, v in os.environ.items() if k != "DB_PREPARED_STATEMENTS"}
    environ.update(env, DJANGO_SETTINGS_MODULE="helpdesk.test_settings")
    result = subprocess.run(
        [sys.executable, "-c", SHOW],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return eval(result.stdout)  # noqa: S307 - our own repr()


def test_on_by_default_on_postgresql_and_off_when_asked():
    url = "postgres://sada@db.example:5432/sada"
    assert _options(DATABASE_URL=url) == {
        "server_side_binding": True,
        "prepare_threshold": 5,
        "options": "-c plan_cache_mode=force_custom_plan",
    }
    assert _options(DATABASE_URL=url, DB_PREPARED_STATEMENTS="0") == {}
    sqlite = _options(DATABASE_URL="sqlite:////tmp/sada-options-test.sqlite3")
    assert "server_side_binding" not in sqlite


@pytest.mark.django_db
def test_the_api_statements_are_prepared(supervisor, postgres_only):
    if not connection.settings_dict["OPTIONS"].get("server_side_binding"):
        pytest.skip("DB_PREPARED_STATEMENTS=0")
    case = open_case("9901")
    _k, raw = make_key(created_by=supervisor)
    client = key_client(raw)
    for _ in range(6):  # prepare_threshold: prepared from the sixth run on
        assert client.get("/api/v1/cases/").status_code == 200
        assert client.get(f"/api/v1/cases/{case.reference}/").status_code == 200
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        prepared = " ".join(row[0] for row in cursor.fetchall())
    assert '"cases_apikey"' in prepared and '"cases_message"' in prepared
    assert prepared.count('FROM "cases_case"') >= 2  # the page and the case


@pytest.mark.django_db
def test_prepared_statements_are_still_planned_for_their_values(postgres_only):
    """A generic plan cannot use a partial index for a parameter (the idle SLA sweep
    scanned 1,000,000 rows with one): each run is planned for its own values."""
    if not connection.settings_dict["OPTIONS"].get("server_side_binding"):
        pytest.skip("DB_PREPARED_STATEMENTS=0")
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone()[0] == "force_custom_plan"
