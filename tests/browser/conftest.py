"""Real Chromium (Debian's /usr/bin/chromium) driven by Playwright's sync API
against pytest-django's live server. Never a downloaded browser."""

import os
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"

# Playwright's sync API runs an event loop in this thread; Django refuses ORM calls
# from a thread with a running loop unless told the caller knows what it is doing.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} is missing: apt-get install chromium")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def browser():
    """One Chromium per test, on purpose. While Playwright's sync API runs, its event
    loop counts as running in this thread, and Django then hands out other database
    connection objects (asgiref's thread-critical Local): a session-wide Playwright
    would leave every later test on a connection without the serialized migration
    data, so transactional tests after these ones would start from an empty database."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def plain_static_files(settings):
    """The live server serves static files from the finders; no manifest in tests."""
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def new_page(browser):
    """Pages in fresh contexts (separate cookies: separate people)."""
    contexts = []

    def make(**kwargs):
        context = browser.new_context(viewport={"width": 1400, "height": 900}, **kwargs)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(autouse=True)
def working_defaults(transactional_db):
    """The roles and queues of the data migrations. A live-server test runs outside a
    transaction and the database is emptied after each such test, so they are put
    back (idempotently) rather than trusted to be there."""
    from django.contrib.auth.models import Group

    from cases.defaults import QUEUES
    from cases.models import Queue

    for name in ("Agents", "Supervisors"):
        Group.objects.get_or_create(name=name)
    for slug, name_en, name_ar in QUEUES:
        Queue.objects.get_or_create(slug=slug, defaults={"name_en": name_en, "name_ar": name_ar})
