"""Supervisor reports at /reports/: a period, an account and a queue; charts, tables, CSV.

Thin views over the selectors in cases/reports.py. Supervisors and superusers
only; anyone else gets 403, as on /supervisor/. Every table has a CSV export at
/reports/<table>.csv with the same query string.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime, time, timedelta

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language_bidi
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from . import report_charts, reports
from .models import Queue
from .reports import ReportScope
from .templatetags.reports import (
    category_label,
    language_label,
    not_a_case_reason,
    seconds,
    share,
    target_label,
)
from .views import _require_supervisor, ui_view

MAX_DAYS = 400
PRESETS = [
    ("7d", _("Last 7 days")),
    ("30d", _("Last 30 days")),
    ("month", _("This month")),
    ("custom", _("Custom")),
]


class ReportForm(forms.Form):
    """The period (local dates, both inclusive), account and queue of a report."""

    preset = forms.ChoiceField(label=_("Period"), choices=PRESETS, initial="30d", required=False)
    start = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        label=_("To (inclusive)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    account = forms.ModelChoiceField(
        label=_("Account"), queryset=None, required=False, empty_label=_("All accounts")
    )
    queue = forms.ModelChoiceField(
        label=_("Queue"), queryset=Queue.objects.all(), required=False, empty_label=_("All queues")
    )

    def __init__(self, *args, today: date, **kwargs):
        from social_ingest.models import SocialAccount

        super().__init__(*args, **kwargs)
        self.today = today
        self.fields["account"].queryset = SocialAccount.objects.order_by("handle")

    def clean(self):
        data = super().clean()
        preset = data.get("preset") or "30d"
        data["preset"] = preset
        if preset == "7d":
            data["start"], data["end"] = self.today - timedelta(days=6), self.today
        elif preset == "30d":
            data["start"], data["end"] = self.today - timedelta(days=29), self.today
        elif preset == "month":
            data["start"], data["end"] = self.today.replace(day=1), self.today
        else:
            start, end = data.get("start"), data.get("end")
            if not start or not end:
                raise forms.ValidationError(_("A custom period needs a start and an end date."))
            if end < start:
                raise forms.ValidationError(_("The end date is before the start date."))
            if (end - start).days + 1 > MAX_DAYS:
                raise forms.ValidationError(
                    _("A report covers at most %(days)s days.") % {"days": MAX_DAYS}
                )
        return data

    def scope(self) -> ReportScope:
        zone = reports.display_zone()
        data = self.cleaned_data
        start = datetime.combine(data["start"], time.min, zone)
        end = datetime.combine(data["end"] + timedelta(days=1), time.min, zone)
        return ReportScope(
            start=start,
            end=end,
            account_id=data["account"].pk if data.get("account") else None,
            queue_id=data["queue"].pk if data.get("queue") else None,
        )


def _form(request: HttpRequest) -> ReportForm:
    today = timezone.localtime(timezone.now(), reports.display_zone()).date()
    data = request.GET.copy()
    data.pop("format", None)
    return ReportForm(data or {"preset": "30d"}, today=today)


# --- Tables: name -> (columns, rows of the scope) --------------------------------------------


def _response_rows(scope: ReportScope) -> list[dict]:
    found = reports.response_times(scope)
    rows = []
    for measure, missing in (("first_response", "unanswered"), ("resolution", "unresolved")):
        row = found[measure]
        rows.append({"measure": measure, "missing": row[missing], **row})
    return rows


def _summary_rows(scope: ReportScope, overview: dict | None = None) -> list[dict]:
    share = overview["answered_share"] if overview else reports.answered_share(scope)
    return [
        {
            "cases": overview["total"] if overview else reports.volume_total(scope),
            "owing_answer": share["cases"],
            "answered": share["answered"],
            "unanswered": share["cases"] - share["answered"],
            "answered_share": share["share"],
        }
    ]


def _satisfaction_rows(scope: ReportScope) -> list[dict]:
    found = reports.satisfaction(scope)
    return [{"score": score, "count": n} for score, n in found["distribution"].items()]


TABLES: dict[str, tuple[list[str], Callable[[ReportScope], list[dict]]]] = {
    "summary": (
        ["cases", "owing_answer", "answered", "unanswered", "answered_share"],
        _summary_rows,
    ),
    "volume_by_day": (["day", "count"], reports.volume_by_day),
    "volume_by_hour": (["hour", "count"], reports.volume_by_hour),
    "volume_by_category": (["category", "count"], reports.volume_by_category),
    "volume_by_language": (["language", "count"], reports.volume_by_language),
    "response_times": (
        [
            "measure",
            "n",
            "n_business",
            "missing",
            "median_wall",
            "p90_wall",
            "median_business",
            "p90_business",
        ],
        _response_rows,
    ),
    "sla_compliance": (
        ["target", "priority", "met", "breached", "share"],
        lambda scope: reports.sla_compliance(scope),
    ),
    "escalations": (
        ["level", "count", "acknowledged", "median_ack", "p90_ack"],
        reports.escalations_by_level,
    ),
    "backlog": (["day", "open"], reports.backlog_by_day),
    "agents": (
        [
            "agent",
            "cases_handled",
            "replies",
            "first_responses",
            "median_first_response_business",
            "median_first_response_wall",
            "resolved",
            "reopened",
            "reopen_rate",
        ],
        reports.agents,
    ),
    "not_a_case": (["source", "reason", "count"], reports.not_a_case_reasons),
    "satisfaction": (["score", "count"], _satisfaction_rows),
}

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> object:
    """A cell safe to open in a spreadsheet: text starting like a formula gets a quote."""
    if value is None:
        return ""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


# --- Views -----------------------------------------------------------------------------------


@ui_view
@require_GET
def reports_page(request: HttpRequest) -> HttpResponse:
    _require_supervisor(request)
    form = _form(request)
    if not form.is_valid():
        return render(
            request, "cases/reports/page.html", {"form": form, "section": "reports"}, status=400
        )
    scope = form.scope()
    rtl = get_language_bidi()
    # The count figures of the period's cases from one pass (see case_overview).
    overview = reports.case_overview(scope)
    by_day = overview["volume_by_day"]
    by_hour = overview["volume_by_hour"]
    categories = overview["volume_by_category"]
    languages = overview["volume_by_language"]
    times = _response_rows(scope)
    backlog = reports.backlog_by_day(scope, created=overview["created"])
    sla_rows = overview["sla_compliance"]
    escalations = reports.escalations_by_level(scope)
    agents = reports.agents(scope)
    not_a_case = reports.not_a_case_reasons(scope)
    satisfaction = reports.satisfaction(scope)
    summary = _summary_rows(scope, overview)[0]
    charts = {
        "day": report_charts.column_chart(
            [(d["day"].strftime("%m-%d"), d["count"]) for d in by_day], rtl=rtl
        ),
        "hour": report_charts.column_chart(
            [(f"{h['hour']:02d}", h["count"]) for h in by_hour], rtl=rtl
        ),
        "category": report_charts.bar_list(
            [(category_label(c["category"]), c["count"]) for c in categories[:12]], rtl=rtl
        ),
        "language": report_charts.bar_list(
            [(language_label(row["language"]), row["count"]) for row in languages[:12]], rtl=rtl
        ),
        "times": report_charts.bar_list(
            [
                (f"{target_label(row['measure'])} · {label}", row[key], seconds(row[key]))
                for row in times
                for label, key in ((_("Median"), "median_business"), ("p90", "p90_business"))
                if row[key] is not None
            ],
            rtl=rtl,
        ),
        "sla": report_charts.bar_list(
            [
                (f"{target_label(r['target'])} · {r['priority']}", r["share"], share(r["share"]))
                for r in sla_rows
                if r["share"] is not None
            ],
            rtl=rtl,
            top=1,
        ),
        "escalations": report_charts.bar_list(
            [(f"L{row['level']}", row["count"]) for row in escalations], rtl=rtl
        ),
        "backlog": report_charts.line_chart(
            [(d["day"].strftime("%m-%d"), d["open"]) for d in backlog], rtl=rtl
        ),
        "agents": report_charts.bar_list(
            [(row["agent"], row["cases_handled"]) for row in agents[:15]], rtl=rtl
        ),
        "not_a_case": report_charts.bar_list(
            [
                (
                    not_a_case_reason(r["reason"]) if r["source"] == "intake" else r["reason"][:40],
                    r["count"],
                )
                for r in not_a_case[:12]
            ],
            rtl=rtl,
        ),
        "satisfaction": report_charts.bar_list(
            [(str(score), n) for score, n in satisfaction["distribution"].items()], rtl=rtl
        ),
    }
    context = {
        "form": form,
        "section": "reports",
        "scope": scope,
        "period_start": form.cleaned_data["start"],
        "period_end": form.cleaned_data["end"],
        "period_last": scope.end - timedelta(microseconds=1),
        "query": request.GET.urlencode(),
        "summary": summary,
        "by_day": by_day,
        "by_hour": by_hour,
        "categories": categories,
        "languages": languages,
        "times": times,
        "sla_rows": sla_rows,
        "sla_totals": reports.sla_totals(sla_rows),
        "escalations": escalations,
        "backlog": backlog,
        "agents": agents,
        "not_a_case": not_a_case,
        "satisfaction": satisfaction,
        "charts": charts,
    }
    return render(request, "cases/reports/page.html", context)


@ui_view
@require_GET
def report_csv(request: HttpRequest, table: str) -> HttpResponse:
    _require_supervisor(request)
    if table not in TABLES:
        raise Http404
    form = _form(request)
    if not form.is_valid():
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    scope = form.scope()
    columns, rows_of = TABLES[table]
    out = io.StringIO()
    out.write("\ufeff")  # spreadsheets then read the Arabic text as UTF-8
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows_of(scope):
        writer.writerow([csv_cell(row.get(column)) for column in columns])
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    name = f"sada-{table}-{form.cleaned_data['start']}-{form.cleaned_data['end']}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
