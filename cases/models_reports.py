"""What the reports keep: which weekly digest went to whom (issue 11)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

__all__ = ["DigestDelivery"]


class DigestDelivery(models.Model):
    """One weekly digest e-mail to one supervisor, claimed before it is sent.

    The unique (user, period_start) row makes a repeated or duplicated task send
    nothing twice (django-q2's ORM broker delivers at least once).
    """

    user = models.ForeignKey(
        "cases.User", on_delete=models.CASCADE, related_name="+", verbose_name=_("user")
    )
    # The first local day of the week the digest covers.
    period_start = models.DateField(_("week from"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("weekly digest sent")
        verbose_name_plural = _("weekly digests sent")
        constraints = [
            models.UniqueConstraint(fields=["user", "period_start"], name="digest_once_per_week")
        ]

    def __str__(self) -> str:
        return f"{self.user_id}:{self.period_start}"
