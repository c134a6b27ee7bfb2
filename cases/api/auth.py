"""Who is calling the API, and what they may see and do.

Two ways in: the browser's session (an agent or a supervisor), or an API key
sent as `Authorization: Bearer <key>`. A key acts as the user who created it
(actor_kind "api" in the audit log), or as the system for a key made in the
shell; its scopes say whether it may read (GET) and act (POST actions), and an
optional queue narrows what it sees to that queue's cases — everything else is
a 404, exactly as if it did not exist.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions, permissions

from ..models import Case, Customer, Queue, User
from ..models_api import ApiKey, hash_key
from ..selectors import visible_cases
from .compiled import CompiledQuery

# last_used_at is written at most this often per key: one write a minute, not
# one per request.
LAST_USED_RESOLUTION = timedelta(seconds=60)
SUPERVISORS_GROUP = "Supervisors"  # as User.is_supervisor


# User.is_supervisor of the key's owner, read in the key's own query: every call
# by key needs it (visible_cases), and it was a second round trip per request.
# Read afresh on every request, like the key itself: nothing is cached across requests.
_OWNER_IS_SUPERVISOR = Q(created_by__is_superuser=True) | Exists(
    User.groups.through.objects.filter(
        user_id=OuterRef("created_by_id"), group__name=SUPERVISORS_GROUP
    )
)
_KEY_FIELDS = [field.attname for field in ApiKey._meta.concrete_fields]
_OWNER_FIELDS = [field.attname for field in User._meta.concrete_fields]


def _key_query(hashed_key: str):
    """The key with that hash, its owner's columns (all of them: the owner becomes
    request.user) and the owner's supervisor powers, in one row."""
    return (
        ApiKey.objects.filter(hashed_key=hashed_key)  # unique: no ordering needed
        .annotate(owner_is_supervisor=_OWNER_IS_SUPERVISOR)
        .order_by()
        .values_list(
            *_KEY_FIELDS,
            *(f"created_by__{name}" for name in _OWNER_FIELDS),
            "owner_is_supervisor",
        )[:1]
    )


# The same statement on every call by key, only the hash differs: compiled once
# (compiled.py), it costs the database round trip and little else.
_KEY_QUERY = CompiledQuery(_key_query, hashed_key=str)


def _key_with_owner(raw: str) -> ApiKey | None:
    """The key of this raw value, read afresh (a revoked or expired key is refused
    on its very next use), with `created_by` and `owner_is_supervisor` set."""
    rows = _KEY_QUERY.rows(hashed_key=hash_key(raw))
    if not rows:
        return None
    row = rows[0]
    split = len(_KEY_FIELDS)
    key = ApiKey.from_db("default", _KEY_FIELDS, row[:split])
    owner_values = row[split : split + len(_OWNER_FIELDS)]
    owner = None
    if key.created_by_id is not None:
        owner = User.from_db("default", _OWNER_FIELDS, owner_values)
    key.created_by = owner
    key.owner_is_supervisor = row[-1] if owner is not None else None
    return key


class ApiKeyAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed("Send the key as: Authorization: Bearer <key>.")
        try:
            raw = header[1].decode()
        except UnicodeError as exc:
            raise exceptions.AuthenticationFailed("Invalid API key.") from exc
        key = _key_with_owner(raw)
        now = timezone.now()
        if key is None:
            raise exceptions.AuthenticationFailed("Invalid API key.")
        if key.revoked_at is not None:
            raise exceptions.AuthenticationFailed("This API key has been revoked.")
        if key.is_expired(now):
            raise exceptions.AuthenticationFailed("This API key has expired.")
        owner = key.created_by
        if owner is not None and not owner.is_active:
            raise exceptions.AuthenticationFailed("The owner of this API key is deactivated.")
        if key.last_used_at is None or key.last_used_at < now - LAST_USED_RESOLUTION:
            ApiKey.objects.filter(pk=key.pk).update(last_used_at=now)
            key.last_used_at = now
        return (owner or AnonymousUser(), key)

    def authenticate_header(self, request):
        # Makes an unauthenticated call a 401 (with this challenge), not a 403.
        return f'{self.keyword} realm="api"'


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "cases.api.auth.ApiKeyAuthentication"
    name = "apiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key (created in the admin or with "
            "`manage.py create_api_key`), sent as `Authorization: Bearer <key>`.",
        }


def api_key(request) -> ApiKey | None:
    return request.auth if isinstance(request.auth, ApiKey) else None


def actor(request) -> User | None:
    """The user recorded as having acted: the session user, or a key's creator."""
    user = request.user
    return user if user is not None and user.is_authenticated else None


def actor_kind(request) -> str:
    return "api" if api_key(request) else "user"


def is_supervisor(request) -> bool:
    """Supervisor powers: a supervisor's session, or an unrestricted key of one."""
    key = api_key(request)
    if key is not None and key.queue_id is not None:
        return False
    user = actor(request)
    if key is not None and user is not None:
        known = getattr(key, "owner_is_supervisor", None)
        if known is not None:
            return bool(known)
    return bool(user and user.is_supervisor)


def cases_for(request) -> QuerySet[Case]:
    """The cases this caller may see: `visible_cases` of the user (the one access
    rule), narrowed to the key's queue for a queue-restricted key."""
    key = api_key(request)
    if key is None:
        return visible_cases(request.user)
    owner = key.created_by
    supervisor = getattr(key, "owner_is_supervisor", None)
    cases = visible_cases(owner, supervisor=supervisor) if owner is not None else Case.objects.all()
    if key.queue_id is not None:
        cases = cases.filter(queue_id=key.queue_id)
    return cases


def queues_for(request) -> QuerySet[Queue]:
    """Supervisors (and unrestricted keys) see every queue; an agent their own;
    a queue-restricted key its one queue."""
    key = api_key(request)
    if key is not None and key.queue_id is not None:
        return Queue.objects.filter(pk=key.queue_id)
    user = actor(request)
    if key is not None and user is None:
        return Queue.objects.all()
    if user is None or not user.is_active:
        return Queue.objects.none()
    if user.is_supervisor:
        return Queue.objects.all()
    return Queue.objects.filter(members=user)


def customers_for(request) -> QuerySet[Customer]:
    """Customers who wrote a case the caller may see."""
    from django.db.models import Exists, OuterRef

    return Customer.objects.filter(Exists(cases_for(request).filter(customer=OuterRef("pk"))))


class ScopedAccess(permissions.BasePermission):
    """Signed in, or a key with the scope the method needs: read for GET, act for
    anything else. Object-level access is `cases_for`: what is not there is a 404."""

    message = "Your API key does not have the scope this needs."

    def has_permission(self, request, view) -> bool:
        key = api_key(request)
        if key is not None:
            needed = "read" if request.method in permissions.SAFE_METHODS else "act"
            self.message = f"Your API key does not have the {needed} scope."
            return key.has_scope(needed)
        user = request.user
        return bool(user and user.is_authenticated and user.is_active)
