"""What citizens reach without signing in: case status links and satisfaction ratings.

A link's token is shown once, in the reply that carries it; only its SHA-256 is
stored, so a copy of the database does not open anyone's case page. Tokens
carry 128 bits of randomness: a lookup by hash needs no constant-time compare,
as nobody can steer the hash of a guess towards a stored one.
"""

import hashlib
import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["CaseStatusLink", "SatisfactionRating", "SatisfactionRequest"]

TOKEN_BYTES = 16  # 128 bits; 22 URL-safe characters


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class CaseStatusLink(models.Model):
    """A public, unguessable link to a case's reference, status and last update."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="status_links", verbose_name=_("case")
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        "cases.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("case status link")
        verbose_name_plural = _("case status links")

    def __str__(self) -> str:
        return f"{self.case_id}:{self.pk}"


class SatisfactionRequest(models.Model):
    """A rating link sent to the customer of a resolved case (single use by constraint)."""

    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.CASCADE,
        related_name="satisfaction_requests",
        verbose_name=_("case"),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        "cases.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("rating request")
        verbose_name_plural = _("rating requests")

    def __str__(self) -> str:
        return f"{self.case_id}:{self.pk}"


class SatisfactionRating(models.Model):
    """How the customer rated the handling of a case: once per case, 1 to 5."""

    case = models.OneToOneField(
        "cases.Case",
        on_delete=models.CASCADE,
        related_name="satisfaction",
        verbose_name=_("case"),
    )
    request = models.ForeignKey(
        SatisfactionRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("rating request"),
    )
    score = models.PositiveSmallIntegerField(_("score"))
    # Exactly as written (bounded by the form); shown escaped, never to the public.
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(_("rated"), default=timezone.now)

    class Meta:
        verbose_name = _("satisfaction rating")
        verbose_name_plural = _("satisfaction ratings")
        constraints = [
            models.CheckConstraint(
                condition=Q(score__gte=1) & Q(score__lte=5), name="satisfaction_score_1_5"
            ),
        ]
        indexes = [
            # Reports: ratings given in a period.
            models.Index(fields=["created_at"], name="satisfaction_created"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.score}"
