"""Settings for the test suite: the real settings with a throwaway key."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-key-not-secret")

from helpdesk.settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
