"""What the agents' web UI keeps beside the cases: canned responses, who has a
case open (presence) and the normalised search text of each case.

None of it is business state: no service reads it to decide anything.
"""

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

__all__ = ["CannedResponse", "CasePresence", "CaseSearchDocument"]

# The placeholders a canned response may use, filled from the case at insertion.
PLACEHOLDERS = ("customer_name", "customer_handle", "reference")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


class CannedResponse(models.Model):
    """A ready answer an agent inserts into the reply composer and then edits."""

    class Language(models.TextChoices):
        AR = "ar", _("Arabic")
        EN = "en", _("English")

    title = models.CharField(_("title"), max_length=100)
    language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.AR
    )
    text = models.TextField(
        _("text"),
        help_text=_("Placeholders: {customer_name}, {customer_handle}, {reference}."),
    )
    # Empty: offered on every queue's cases.
    queues = models.ManyToManyField(
        "cases.Queue", blank=True, related_name="canned_responses", verbose_name=_("queues")
    )
    is_active = models.BooleanField(_("active"), default=True)
    position = models.PositiveSmallIntegerField(_("position"), default=100)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["language", "position", "title"]
        verbose_name = _("canned response")
        verbose_name_plural = _("canned responses")

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        unknown = sorted(
            {name for name in _PLACEHOLDER.findall(self.text or "") if name not in PLACEHOLDERS}
        )
        if unknown:
            raise ValidationError(
                {
                    "text": _("Unknown placeholders: %(names)s. Allowed: %(allowed)s.")
                    % {
                        "names": ", ".join(f"{{{n}}}" for n in unknown),
                        "allowed": ", ".join(f"{{{n}}}" for n in PLACEHOLDERS),
                    }
                }
            )

    def render(self, case) -> str:
        """The text with the case's values put in; unknown braces are left as written.

        Plain replacement, never str.format: a template is admin input and
        format strings can reach attributes ("{0.__class__}").
        """
        customer = case.customer
        values = {
            "customer_name": (customer.name or customer.handle) if customer else "",
            "customer_handle": f"@{customer.handle}" if customer and customer.handle else "",
            "reference": case.reference,
        }
        return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), self.text)


class CasePresence(models.Model):
    """Who has a case open, and who is typing a reply on it, right now.

    In the database, not in process memory: several web processes serve the
    same agents. Rows expire by time (see cases/presence.py), not by deletion.
    """

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey("cases.User", on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(default=timezone.now)
    typing_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # One row per agent and case: the heartbeat is an upsert on it.
            models.UniqueConstraint(fields=["case", "user"], name="casepresence_case_user")
        ]
        indexes = [
            # The case page: who else was seen on this case in the last seconds.
            models.Index(fields=["case", "seen_at"], name="casepresence_case_seen"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id}@{self.case_id}"


class CaseSearchDocument(models.Model):
    """The normalised text of a case (messages, customer, reference) for search.

    Kept in step with the case by `cases.search.search_catch_up` (each search
    and a schedule), comparing `version` with the case's own.
    """

    case = models.OneToOneField(
        "cases.Case", primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    version = models.PositiveIntegerField(default=0)
    case_updated_at = models.DateTimeField(null=True, blank=True)
    document = models.TextField(blank=True)

    class Meta:
        indexes = [
            # search_catch_up: the newest change already indexed (MAX, one index probe).
            models.Index(fields=["case_updated_at"], name="casesearch_case_updated"),
        ]

    def __str__(self) -> str:
        return f"search:{self.case_id}"
