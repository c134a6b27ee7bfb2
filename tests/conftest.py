"""Personas and shared helpers for the whole suite."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from cases.models import Queue, User

FIXTURES = Path(__file__).resolve().parent.parent.parent / "shared" / "fixtures" / "x"


def _user(username: str, *, group: str, queues: list[str] = ()) -> User:
    user = User.objects.create_user(username=username, password="pw-" + username)
    user.groups.add(Group.objects.get(name=group))
    for slug in queues:
        Queue.objects.get(slug=slug).members.add(user)
    return user


@pytest.fixture
def agent(db) -> User:
    return _user("agent_amal", group="Agents", queues=["general"])


@pytest.fixture
def agent2(db) -> User:
    return _user("agent_badr", group="Agents", queues=["general"])


@pytest.fixture
def other_agent(db) -> User:
    """An agent of another queue: must not see the general queue's cases."""
    return _user("agent_omar", group="Agents", queues=["complaints"])


@pytest.fixture
def supervisor(db) -> User:
    return _user("supervisor_sara", group="Supervisors")


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency is tested on PostgreSQL only (set DATABASE_URL)")


def fixture_path(*parts: str) -> Path:
    return FIXTURES.joinpath(*parts)


@pytest.fixture(autouse=True)
def _keep_migration_data(django_db_serialized_rollback):
    """Transactional tests empty the database when they end; serialized rollback
    restores the data migrations' rows (roles, queues, rules, SLA defaults).
    Used by every test, so no flush ever re-creates content types under another
    test's restore (Django fails when the two kinds mix)."""
