"""Settings for the test suite: the real settings with a throwaway key."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-not-secret")

from helpdesk.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
SADA_RULES_TTL_SECONDS = 0  # rule edits in a test apply at once
# No collectstatic before tests: serve static files from the apps as in development.
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
