"""Routing rules edited by supervisors in the admin, evaluated by `routing.py`."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .routing import MATCH_MODES, RuleSpec

__all__ = ["RoutingRule"]

CATEGORIES = [
    ("emergency", _("emergency")),
    ("complaint", _("complaint")),
    ("inquiry", _("inquiry")),
    ("praise", _("praise")),
    ("other", _("other")),
]

KEYWORD_HELP = _(
    "One per line. Words and phrases match normalised text (Arabic letter forms, "
    "diacritics and elongation do not matter; و ف ب ل ك and ال are tolerated). "
    "word* matches words starting with it, a lone * any one word, a|b either, "
    "^phrase only at the start of the text, ? a text with a question mark."
)


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


def _csv(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


class RoutingRule(models.Model):
    """One ordered rule: conditions on a new mention, actions on its case."""

    name = models.CharField(_("name"), max_length=200, unique=True)
    order = models.PositiveIntegerField(_("order"), default=100)
    is_active = models.BooleanField(_("active"), default=True)

    # Conditions (every one that is set must hold).
    match_mode = models.CharField(
        _("keywords must match"),
        max_length=3,
        choices=[("any", _("any of them")), ("all", _("all of them"))],
        default="any",
    )
    keywords = models.TextField(_("keywords and phrases"), blank=True, help_text=KEYWORD_HELP)
    exclude = models.TextField(
        _("exclusion phrases"),
        blank=True,
        help_text=_("One per line, same syntax; any one of them vetoes the rule."),
    )
    hashtags = models.TextField(_("hashtags"), blank=True, help_text=_("One per line, without #."))
    languages = models.CharField(
        _("languages"), max_length=100, blank=True, help_text=_("Comma-separated: ar, en, mixed.")
    )
    accounts = models.CharField(
        _("organisation accounts"),
        max_length=500,
        blank=True,
        help_text=_("Comma-separated handles of our accounts that were mentioned."),
    )
    min_followers = models.PositiveBigIntegerField(
        _("author has at least followers"), null=True, blank=True
    )
    verified = models.BooleanField(_("author verified"), null=True, blank=True)
    repeat_cases = models.PositiveIntegerField(_("repeat contact: cases"), null=True, blank=True)
    repeat_days = models.PositiveIntegerField(
        _("repeat contact: within days"), null=True, blank=True
    )

    # Actions.
    queue = models.ForeignKey(
        "cases.Queue", null=True, blank=True, on_delete=models.PROTECT, verbose_name=_("queue")
    )
    category = models.CharField(_("category"), max_length=30, blank=True, choices=CATEGORIES)
    priority_floor = models.CharField(
        _("at least priority"),
        max_length=2,
        blank=True,
        choices=[("P1", "P1"), ("P2", "P2"), ("P3", "P3"), ("P4", "P4")],
    )
    tags = models.CharField(_("tags"), max_length=300, blank=True, help_text=_("Comma-separated."))
    assignee = models.ForeignKey(
        "cases.User",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("assign to"),
    )
    stop = models.BooleanField(_("stop processing further rules"), default=False)
    not_a_case = models.BooleanField(
        _("no action needed (opens no case)"),
        default=False,
        help_text=_("The mention is kept and counted with this rule as the reason, never deleted."),
    )
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("routing rule")
        verbose_name_plural = _("routing rules")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # Rule caches in every process compare this stamp to know they are stale.
        self.updated_at = timezone.now()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "updated_at"}
        super().save(*args, **kwargs)

    def clean(self):
        try:
            self.to_spec()
        except ValueError as exc:
            raise ValidationError(str(exc)) from exc
        if self.match_mode not in MATCH_MODES:
            raise ValidationError({"match_mode": _("Unknown match mode.")})

    def to_spec(self) -> RuleSpec:
        return RuleSpec(
            id=self.pk,
            name=self.name,
            order=self.order,
            match_mode=self.match_mode,
            keywords=_lines(self.keywords),
            exclude=_lines(self.exclude),
            hashtags=[h.lstrip("#") for h in _lines(self.hashtags)],
            languages=_csv(self.languages),
            accounts=_csv(self.accounts),
            min_followers=self.min_followers,
            verified=self.verified,
            repeat_cases=self.repeat_cases,
            repeat_days=self.repeat_days,
            queue=self.queue.slug if self.queue_id else None,
            category=self.category or None,
            priority_floor=self.priority_floor or None,
            tags=_csv(self.tags),
            assignee=self.assignee.username if self.assignee_id else None,
            stop=self.stop,
            not_a_case=self.not_a_case,
        )
