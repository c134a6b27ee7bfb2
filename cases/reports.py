"""Supervisor reports: read-only aggregate queries over a period (issue 11).

A selectors module: every figure is one aggregate query (or a few) over indexed
columns; no function here loads cases into Python or writes anything. The
public transparency page reuses `volume_by_category`, `response_times`,
`answered_share`, `sla_compliance` and `volume_by_month`, which return no
personal data. The reports page takes the period's plain counts from
`case_overview` (two scans on PostgreSQL instead of seven; equal figures, tested).

Definitions (shown on the reports page too, `DEFINITIONS`):

* **Period**: half-open `[start, end)`. Case figures take the cases *created*
  (when the citizen wrote, `Case.created_at`) in the period, of the chosen
  account and queue (the case's current queue). Days, hours and months are
  those of `DISPLAY_TIME_ZONE` (Asia/Riyadh by default).
* **Cases owing an answer**: the period's cases except those closed as "not a
  case" or merged into another (`resolution` in `not_a_case`, `merged`): those
  owe no reply, as the SLA clocks treat them.
* **First response time**: from `created_at` to `first_responded_at` (our
  first reply delivered on the platform). Wall time is that difference;
  business time is `first_response_seconds`, measured on the case's SLA
  calendar (holidays and closed hours excluded). Cases without a delivered
  reply are left out of the statistics and counted as unanswered.
* **Resolution time**: from `created_at` to `resolved_at` for cases owing an
  answer that are resolved or closed now (a reopened case is open again and
  not counted). Wall time is that difference; business time is
  `resolution_seconds` (business seconds with the clock running: pending time,
  waiting on the customer, is excluded).
* **Median, p90**: `percentile_disc` — an observed value: the value at
  position ceil(p × n) of the sorted values (the lower middle value for an
  even count). PostgreSQL computes it with `percentile_disc(...) WITHIN GROUP`;
  SQLite with a window function picking the same row.
* **SLA compliance**, per target and priority (the case's current priority),
  over cases owing an answer: met = the target was met (`*_met` is true);
  breached = it was missed (`*_met` false) or it is still running and past its
  due time now; share = met / (met + breached). Cases still running on time,
  or without a target, are in neither.
* **Escalations**: those raised in the period (`Escalation.created_at`) on
  cases of the account and queue, per level; acknowledgement time is wall time
  from `created_at` to `acknowledged_at`, over acknowledged escalations.
* **Backlog**: cases open at the end of each day (`created_at` < end of the
  day, and `resolved_at` empty or not before it), whenever they were created.
  A case reopened later has no `resolved_at` and counts as open since creation.
* **Per agent**: cases handled = distinct cases the agent wrote a reply to in
  the period (replies written in the period, whatever the case's creation
  time); first response median = over the period's cases whose first
  delivered reply was the agent's; reopen rate = of the agent's resolutions in
  the period, the share after which the case was reopened (at any later time).
* **Not-a-case decisions** in the period: at intake (raw events with state
  `not_a_case`, by reason code, when they were received; these have no queue,
  so a queue filter leaves them out) and by people (cases closed as not a case,
  by the reason given, when the decision was made).
* **Satisfaction**: ratings given in the period on cases of the account and
  queue; count, average and the count per score 1–5.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    Aggregate,
    Avg,
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    OuterRef,
    Q,
    QuerySet,
)
from django.db.models.fields.json import KT
from django.db.models.functions import ExtractHour, Trunc, TruncDate, TruncMonth
from django.utils import timezone

from .models import Case, CaseEvent, Escalation, Message

VOID_RESOLUTIONS = ("not_a_case", "merged")
PRIORITIES = [p.value for p in Case.Priority]
TARGETS = ("first_response", "resolution")
# Percentiles as fractions (numerator, denominator): integer maths on SQLite gives
# the same row as PostgreSQL's ceil(p * n) (checked for n up to 2,000,000).
PERCENTILES = {"median": (1, 2), "p90": (9, 10)}


@dataclass(frozen=True)
class ReportScope:
    start: datetime  # aware, inclusive
    end: datetime  # aware, exclusive
    account_id: int | None = None  # social_ingest.SocialAccount (Case.account)
    queue_id: int | None = None  # Case.queue, as it is now

    def __post_init__(self):
        if timezone.is_naive(self.start) or timezone.is_naive(self.end):
            raise ValueError("report periods take aware datetimes")
        if self.end <= self.start:
            raise ValueError("the period ends before it starts")


def display_zone() -> ZoneInfo:
    return ZoneInfo(settings.DISPLAY_TIME_ZONE)


# --- SQL building blocks --------------------------------------------------------------


class PercentilesDisc(Aggregate):
    """PostgreSQL `percentile_disc(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY expr)`: the
    median and p90 from one sort, each an observed value (NULL without rows)."""

    function = "percentile_disc"
    template = (
        "%(function)s(ARRAY[%(fractions)s]::float8[]) WITHIN GROUP (ORDER BY %(expressions)s)"
    )

    def __init__(self, expression, **extra):
        from django.contrib.postgres.fields import ArrayField

        fractions = ", ".join(repr(num / den) for num, den in PERCENTILES.values())
        super().__init__(
            expression, fractions=fractions, output_field=ArrayField(FloatField()), **extra
        )


def _pg_percentiles(values: dict[str, object]) -> dict[str, Aggregate]:
    return {f"pct_{name}": PercentilesDisc(expr) for name, expr in values.items()}


def _pg_unpack(row: dict, names) -> dict:
    """pct_<name> arrays -> median_<name>, p90_<name>."""
    for name in names:
        found = row.pop(f"pct_{name}", None) or [None] * len(PERCENTILES)
        for label, value in zip(PERCENTILES, found, strict=True):
            row[f"{label}_{name}"] = value
    return row


class WallSeconds(Func):
    """Seconds from `start` to `end` (two datetimes), as a float; NULL if either is."""

    output_field = FloatField()
    arity = 2

    def __init__(self, end, start, **extra):
        super().__init__(end, start, **extra)

    def as_sql(self, compiler, connection, **extra):
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        if connection.vendor == "postgresql":
            sql = f"EXTRACT(EPOCH FROM ({end} - {start}))::float8"
        else:
            sql = f"((julianday({end}) - julianday({start})) * 86400.0)"
        return sql, (*end_params, *start_params)


def _is_postgres() -> bool:
    return connection.vendor == "postgresql"


# The percentile sorts of response_times() and agents() need tens of MB over a year
# of cases; at PostgreSQL's 4MB default they spill to disk (response_times over
# 1,000,000 cases: 1.6 s -> 1.1-1.3 s). Raised for their transaction only (SET
# LOCAL): at most 64MB per sort or hash, for one report function at a time, never
# for the session.
REPORT_WORK_MEM = "64MB"


def _with_work_mem(run):
    """`run()` on PostgreSQL inside a transaction whose work_mem is REPORT_WORK_MEM.

    Called inside a caller's transaction, the setting lasts until that one ends (a
    savepoint would not undo SET LOCAL either): still bounded, never the session's."""
    if not _is_postgres():
        return run()
    with transaction.atomic(savepoint=False):
        with connection.cursor() as cursor:
            # set_config(..., true) is SET LOCAL that also takes a bound parameter.
            cursor.execute("SELECT set_config('work_mem', %s, true)", [REPORT_WORK_MEM])
        return run()


def _seconds(value) -> float | None:
    return None if value is None else round(float(value), 3)


def _percentile_rows(
    qs: QuerySet, group: str | None, values: dict[str, object]
) -> dict[object, dict[str, float | None]]:
    """Median and p90 of each expression in `values`, per `group` (None: one row).

    PostgreSQL: percentile_disc in one grouped query. SQLite: one query whose
    ROW_NUMBER() and COUNT() windows pick the row at ceil(p * n) of each group.
    """
    if _is_postgres():
        aggregates = _pg_percentiles(values)
        if group is None:
            return {None: _pg_unpack(qs.aggregate(**aggregates), values)}
        return {
            row.pop(group): _pg_unpack(row, values)
            for row in qs.values(group).annotate(**aggregates)
        }
    columns = {f"v_{name}": expr for name, expr in values.items()}
    if group:
        columns["rg"] = F(group)
    inner_sql, params = qs.annotate(**columns).values(*columns).query.sql_with_params()
    by = "rg" if group else ""
    windows, picks = [], []
    for name in values:
        v = f"v_{name}"
        windows.append(
            f"{v}, ROW_NUMBER() OVER (PARTITION BY {by + ', ' if by else ''}{v} IS NULL "
            f"ORDER BY {v}) AS rn_{name}, COUNT({v}) OVER ({'PARTITION BY rg' if by else ''}) "
            f"AS n_{name}"
        )
        for label, (num, den) in PERCENTILES.items():
            position = f"MAX(1, ({num} * n_{name} + {den - 1}) / {den})"
            picks.append(
                f"MAX(CASE WHEN {v} IS NOT NULL AND rn_{name} = {position} THEN {v} END)"
                f" AS {label}_{name}"
            )
    lead = "rg, " if group else ""
    sql = (
        f"SELECT {lead}{', '.join(picks)} FROM ("
        f"SELECT {lead}{', '.join(windows)} FROM ({inner_sql}) AS base) AS ranked"
        + (" GROUP BY rg" if group else "")
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    if group is None:
        return {None: rows[0] if rows else {}}
    return {row.pop("rg"): row for row in rows}


def _case_filter(scope: ReportScope, prefix: str = "") -> Q:
    q = Q()
    if scope.account_id is not None:
        q &= Q(**{f"{prefix}account_id": scope.account_id})
    if scope.queue_id is not None:
        q &= Q(**{f"{prefix}queue_id": scope.queue_id})
    return q


def period_cases(scope: ReportScope) -> QuerySet:
    """The period's cases: created in [start, end), of the account and queue."""
    return Case.objects.filter(
        _case_filter(scope), created_at__gte=scope.start, created_at__lt=scope.end
    )


def answering_cases(scope: ReportScope) -> QuerySet:
    """The period's cases that owe an answer (not closed as not a case, not merged)."""
    return period_cases(scope).exclude(resolution__in=VOID_RESOLUTIONS)


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


# --- Volume ---------------------------------------------------------------------------


def volume_total(scope: ReportScope) -> int:
    return period_cases(scope).count()


def volume_by_day(scope: ReportScope) -> list[dict]:
    """[{"day": date, "count": int}] for every local day of the period, zeros included."""
    zone = display_zone()
    found = dict(
        period_cases(scope)
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    return [{"day": day, "count": found.get(day, 0)} for day in period_days(scope)]


def volume_by_hour(scope: ReportScope) -> list[dict]:
    """[{"hour": 0..23, "count": int}]: local hour of the day, all 24 listed."""
    found = dict(
        period_cases(scope)
        .annotate(hour=ExtractHour("created_at", tzinfo=display_zone()))
        .values("hour")
        .annotate(n=Count("id"))
        .values_list("hour", "n")
    )
    return [{"hour": hour, "count": found.get(hour, 0)} for hour in range(24)]


def volume_by_category(scope: ReportScope) -> list[dict]:
    """[{"category": str, "count": int}], largest first."""
    rows = (
        period_cases(scope)
        .values("category")
        .annotate(count=Count("id"))
        .order_by("-count", "category")
    )
    return [{"category": r["category"], "count": r["count"]} for r in rows]


def volume_by_language(scope: ReportScope) -> list[dict]:
    """[{"language": str, "count": int}], largest first ("" = not detected)."""
    rows = (
        period_cases(scope)
        .values("language")
        .annotate(count=Count("id"))
        .order_by("-count", "language")
    )
    return [{"language": r["language"], "count": r["count"]} for r in rows]


def volume_by_month(scope: ReportScope) -> list[dict]:
    """[{"month": date (1st of the local month), "count": int}] for every month touched."""
    found = dict(
        period_cases(scope)
        .annotate(month=TruncMonth("created_at", tzinfo=display_zone()))
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    found = {(m.date() if isinstance(m, datetime) else m): n for m, n in found.items()}
    return [{"month": month, "count": found.get(month, 0)} for month in period_months(scope)]


def period_days(scope: ReportScope) -> list[date]:
    """The local calendar days the period touches."""
    zone = display_zone()
    first = scope.start.astimezone(zone).date()
    last = (scope.end - timedelta(microseconds=1)).astimezone(zone).date()
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def period_months(scope: ReportScope) -> list[date]:
    days = period_days(scope)
    months, current = [], days[0].replace(day=1)
    while current <= days[-1]:
        months.append(current)
        current = (current + timedelta(days=32)).replace(day=1)
    return months


def answered_share_by_month(scope: ReportScope) -> dict[date, float | None]:
    """`answered_share` of each local month the period touches, in one query."""
    found = {
        (m.date() if isinstance(m, datetime) else m): (cases, answered)
        for m, cases, answered in answering_cases(scope)
        .annotate(month=TruncMonth("created_at", tzinfo=display_zone()))
        .values("month")
        .annotate(
            cases=Count("id"), answered=Count("id", filter=Q(first_responded_at__isnull=False))
        )
        .values_list("month", "cases", "answered")
    }
    return {
        month: _share(found.get(month, (0, 0))[1], found.get(month, (0, 0))[0])
        for month in period_months(scope)
    }


# --- Response and resolution times ----------------------------------------------------


def answered_share(scope: ReportScope) -> dict:
    """{"cases", "answered", "share"} over the cases owing an answer."""
    found = answering_cases(scope).aggregate(
        cases=Count("id"), answered=Count("id", filter=Q(first_responded_at__isnull=False))
    )
    return {**found, "share": _share(found["answered"], found["cases"])}


_TIME_VALUES = {
    "first_response": {
        "wall": WallSeconds("first_responded_at", "created_at"),
        "business": F("first_response_seconds"),
    },
    "resolution": {
        "wall": WallSeconds("resolved_at", "created_at"),
        "business": F("resolution_seconds"),
    },
}


def response_times(scope: ReportScope) -> dict:
    """First response and resolution times in seconds (see the module's definitions).

    {"first_response": {"n", "n_business", "unanswered", "median_wall", "p90_wall",
    "median_business", "p90_business"}, "resolution": {..., "unresolved"}};
    statistics are None when n is 0.
    """
    qs = answering_cases(scope)
    counts = {
        "cases": Count("id"),
        "fr_n": Count("id", filter=Q(first_responded_at__isnull=False)),
        "fr_nb": Count(
            "id", filter=Q(first_responded_at__isnull=False, first_response_seconds__isnull=False)
        ),
        "res_n": Count("id", filter=Q(resolved_at__isnull=False)),
        "res_nb": Count(
            "id", filter=Q(resolved_at__isnull=False, resolution_seconds__isnull=False)
        ),
    }
    values = {}
    for target, exprs in _TIME_VALUES.items():
        for kind, expr in exprs.items():
            values[f"{target}_{kind}"] = expr
    if _is_postgres():  # one query: counts and every percentile (four sorts, in memory)
        row = _with_work_mem(
            lambda: _pg_unpack(qs.aggregate(**counts, **_pg_percentiles(values)), values)
        )
    else:
        row = qs.aggregate(**counts)
        row.update(_percentile_rows(qs, None, values)[None])
    out = {}
    for target, n_key, nb_key, missing in (
        ("first_response", "fr_n", "fr_nb", "unanswered"),
        ("resolution", "res_n", "res_nb", "unresolved"),
    ):
        out[target] = {
            "n": row[n_key],
            "n_business": row[nb_key],
            missing: row["cases"] - row[n_key],
            "median_wall": _seconds(row.get(f"median_{target}_wall")),
            "p90_wall": _seconds(row.get(f"p90_{target}_wall")),
            "median_business": _seconds(row.get(f"median_{target}_business")),
            "p90_business": _seconds(row.get(f"p90_{target}_business")),
        }
    return out


# --- SLA compliance -------------------------------------------------------------------


def sla_compliance(scope: ReportScope, *, now: datetime | None = None) -> list[dict]:
    """Per target and priority: {"target", "priority", "met", "breached", "share"}.

    Every target × priority pair is listed (zeros included), in P1..P4 order.
    """
    rows = {
        r["priority"]: r
        for r in answering_cases(scope)
        .values("priority")
        .annotate(
            **{
                key: Count("id", filter=condition)
                for key, condition in _sla_conditions(now or timezone.now()).items()
            }
        )
    }
    return _sla_rows(rows)


def _sla_conditions(now: datetime) -> dict[str, Q]:
    """met / breached per target, as conditions on a case owing an answer."""
    running = Q(status__in=Case.OPEN_STATUSES)
    return {
        "fr_met": Q(first_response_met=True),
        "fr_breached": Q(first_response_met=False)
        | (
            running
            & Q(first_response_met__isnull=True, first_responded_at__isnull=True)
            & Q(first_response_due__lt=now)
        ),
        "res_met": Q(resolution_met=True),
        "res_breached": Q(resolution_met=False)
        | (
            running
            & Q(resolution_met__isnull=True, resolved_at__isnull=True)
            & Q(resolution_due__lt=now)
        ),
    }


def _sla_rows(rows: dict[str, dict]) -> list[dict]:
    """Counts per priority -> the rows of `sla_compliance`, every pair listed."""
    out = []
    for target, key in (("first_response", "fr"), ("resolution", "res")):
        for priority in PRIORITIES:
            row = rows.get(priority, {})
            met, breached = row.get(f"{key}_met", 0), row.get(f"{key}_breached", 0)
            out.append(
                {
                    "target": target,
                    "priority": priority,
                    "met": met,
                    "breached": breached,
                    "share": _share(met, met + breached),
                }
            )
    return out


def sla_totals(rows: Iterable[dict]) -> dict[str, dict]:
    """Per target, summed over priorities (from `sla_compliance` rows)."""
    totals: dict[str, dict] = {}
    for row in rows:
        t = totals.setdefault(row["target"], {"met": 0, "breached": 0})
        t["met"] += row["met"]
        t["breached"] += row["breached"]
    for t in totals.values():
        t["share"] = _share(t["met"], t["met"] + t["breached"])
    return totals


# --- Escalations ----------------------------------------------------------------------


def escalations_by_level(scope: ReportScope) -> list[dict]:
    """[{"level", "count", "acknowledged", "median_ack", "p90_ack"}] (wall seconds)."""
    qs = Escalation.objects.filter(
        _case_filter(scope, "case__"), created_at__gte=scope.start, created_at__lt=scope.end
    )
    counting = {
        "count": Count("id"),
        "acknowledged": Count("id", filter=Q(acknowledged_at__isnull=False)),
    }
    ack = {"ack": WallSeconds("acknowledged_at", "created_at")}
    if _is_postgres():  # one query: counts and percentiles together
        counts = {
            r.pop("level"): _pg_unpack(r, ack)
            for r in qs.values("level").annotate(**counting, **_pg_percentiles(ack))
        }
        times = counts
    else:
        counts = {r["level"]: r for r in qs.values("level").annotate(**counting)}
        times = _percentile_rows(qs, "level", ack) if counts else {}
    out = []
    for level in sorted(counts):
        t = times.get(level, {})
        out.append(
            {
                "level": level,
                "count": counts[level]["count"],
                "acknowledged": counts[level]["acknowledged"],
                "median_ack": _seconds(t.get("median_ack")),
                "p90_ack": _seconds(t.get("p90_ack")),
            }
        )
    return out


# --- Backlog --------------------------------------------------------------------------


def backlog_by_day(scope: ReportScope, *, created: dict[date, int] | None = None) -> list[dict]:
    """[{"day": date, "open": int}]: cases open at the end of each local day.

    Four aggregate queries: the cases open at the period's start (two counts),
    then cases created and cases resolved per day; the running sum of at most a
    few hundred daily numbers is added here. Relies on resolved_at >= created_at, which the
    services guarantee (resolving happens after the citizen wrote).
    `created`: the period's cases per local day when the caller has them already
    (`case_overview`'s volume_by_day, the same count): then three queries.
    """
    zone = display_zone()
    scoped = Case.objects.filter(_case_filter(scope))
    # Open at the start: created before it and unresolved now, or resolved after it
    # started. Two counts on two small index ranges instead of one over all history.
    before = scoped.filter(created_at__lt=scope.start)
    start_open = (
        before.filter(resolved_at__isnull=True).count()
        + before.filter(resolved_at__gte=scope.start).count()
    )
    # Counting the indexed column itself keeps these index-only scans.
    if created is None:
        created = dict(
            scoped.filter(created_at__gte=scope.start, created_at__lt=scope.end)
            .annotate(day=TruncDate("created_at", tzinfo=zone))
            .values("day")
            .annotate(n=Count("created_at"))
            .values_list("day", "n")
        )
    resolved = dict(
        scoped.filter(resolved_at__gte=scope.start, resolved_at__lt=scope.end)
        .annotate(day=TruncDate("resolved_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("resolved_at"))
        .values_list("day", "n")
    )
    out, running = [], start_open
    for day in period_days(scope):
        running += created.get(day, 0) - resolved.get(day, 0)
        out.append({"day": day, "open": running})
    return out


# --- Per agent ------------------------------------------------------------------------


def agents(scope: ReportScope) -> list[dict]:
    """[{"agent_id", "agent", "cases_handled", "replies", "first_responses",
    "median_first_response_business", "median_first_response_wall", "resolved",
    "reopened", "reopen_rate"}], busiest first.

    PostgreSQL: with REPORT_WORK_MEM, so the sorts by author (distinct cases, the
    first-response percentiles) and the reply-case hash join stay in memory."""
    return _with_work_mem(lambda: _agents(scope))


def _agents(scope: ReportScope) -> list[dict]:
    from .models import User

    case_q = _case_filter(scope, "case__")
    period = {"created_at__gte": scope.start, "created_at__lt": scope.end}
    handled = {
        r["author"]: r
        for r in Message.objects.filter(
            case_q, direction=Message.Direction.OUTBOUND, author__isnull=False, **period
        )
        .values("author")
        .annotate(cases_handled=Count("case", distinct=True), replies=Count("*"))
    }
    # The message whose delivery set the case's first response: its author answered first.
    firsts_qs = Message.objects.filter(
        case_q,
        direction=Message.Direction.OUTBOUND,
        author__isnull=False,
        delivered_at=F("case__first_responded_at"),
        # Implied (we reply after the citizen wrote), stated so the replies index serves it.
        created_at__gte=scope.start,
        case__created_at__gte=scope.start,
        case__created_at__lt=scope.end,
    ).exclude(case__resolution__in=VOID_RESOLUTIONS)
    first_values = {
        "business": F("case__first_response_seconds"),
        "wall": WallSeconds("case__first_responded_at", "case__created_at"),
    }
    if _is_postgres():
        firsts = {
            r.pop("author"): _pg_unpack(r, first_values)
            for r in firsts_qs.values("author").annotate(
                first_responses=Count("*"), **_pg_percentiles(first_values)
            )
        }
    else:
        counts = dict(firsts_qs.values("author").annotate(n=Count("id")).values_list("author", "n"))
        firsts = _percentile_rows(firsts_qs, "author", first_values)
        for author, row in firsts.items():
            row["first_responses"] = counts.get(author, 0)
    resolutions = CaseEvent.objects.filter(
        case_q, kind="status_changed", actor__isnull=False, data__new=Case.Status.RESOLVED, **period
    )
    reopened_later = CaseEvent.objects.filter(
        case=OuterRef("case"), kind="reopened", id__gt=OuterRef("id")
    )
    resolved = {
        r["actor"]: r
        for r in resolutions.values("actor").annotate(
            resolved=Count("id"),
            reopened=Count("id", filter=Exists(reopened_later)),
        )
    }
    ids = set(handled) | set(firsts) | set(resolved)
    names = {
        u.pk: str(u)
        for u in User.objects.filter(pk__in=ids).only("username", "first_name", "last_name")
    }
    out = []
    for pk in ids:
        h, f, r = handled.get(pk, {}), firsts.get(pk, {}), resolved.get(pk, {})
        out.append(
            {
                "agent_id": pk,
                "agent": names.get(pk, str(pk)),
                "cases_handled": h.get("cases_handled", 0),
                "replies": h.get("replies", 0),
                "first_responses": f.get("first_responses", 0),
                "median_first_response_business": _seconds(f.get("median_business")),
                "median_first_response_wall": _seconds(f.get("median_wall")),
                "resolved": r.get("resolved", 0),
                "reopened": r.get("reopened", 0),
                "reopen_rate": _share(r.get("reopened", 0), r.get("resolved", 0)),
            }
        )
    out.sort(key=lambda row: (-row["cases_handled"], row["agent"]))
    return out


# --- Not a case -----------------------------------------------------------------------


def not_a_case_reasons(scope: ReportScope, *, limit: int = 50) -> list[dict]:
    """[{"source": "intake"|"person", "reason": str, "count": int}], most frequent first."""
    from social_ingest.models import InboundEvent

    out = []
    if scope.queue_id is None:  # intake decisions open no case: they have no queue
        intake = InboundEvent.objects.filter(
            state=InboundEvent.State.NOT_A_CASE,
            received_at__gte=scope.start,
            received_at__lt=scope.end,
        )
        if scope.account_id is not None:
            intake = intake.filter(account_id=scope.account_id)
        out += [
            {"source": "intake", "reason": r["reason"], "count": r["count"]}
            for r in intake.values("reason")
            .annotate(count=Count("id"))
            .order_by("-count", "reason")[:limit]
        ]
    people = (
        CaseEvent.objects.filter(
            _case_filter(scope, "case__"),
            kind="status_changed",
            data__resolution="not_a_case",
            created_at__gte=scope.start,
            created_at__lt=scope.end,
        )
        .annotate(why=KT("data__reason"))
        .values("why")
        .annotate(count=Count("id"))
        .order_by("-count", "why")[:limit]
    )
    out += [{"source": "person", "reason": r["why"] or "", "count": r["count"]} for r in people]
    return out


# --- Satisfaction ---------------------------------------------------------------------


def satisfaction(scope: ReportScope) -> dict:
    """{"count", "average", "distribution": {1: n, ..., 5: n}} of ratings given in the period."""
    from .models_public import SatisfactionRating

    found = SatisfactionRating.objects.filter(
        _case_filter(scope, "case__"), created_at__gte=scope.start, created_at__lt=scope.end
    ).aggregate(
        count=Count("id"),
        average=Avg("score"),
        **{f"s{score}": Count("id", filter=Q(score=score)) for score in range(1, 6)},
    )
    return {
        "count": found["count"],
        "average": round(float(found["average"]), 2) if found["average"] is not None else None,
        "distribution": {score: found[f"s{score}"] for score in range(1, 6)},
    }


# --- The reports page: the plain counts of the period's cases in one scan ------------


def case_overview(scope: ReportScope, *, now: datetime | None = None) -> dict:
    """The count figures of the period's cases, each equal to its own function's.

    {"total": volume_total, "answered_share", "volume_by_day", "volume_by_hour",
    "volume_by_category", "volume_by_language", "sla_compliance"}, and "created"
    ({day: count}, for `backlog_by_day`). PostgreSQL: two scans of the period's cases
    (index-only over case_report_cover) instead of seven:

    * cases per local hour (date_trunc of the local time): the days, the hours of
      the day and the total are sums of those;
    * cases per category, language, priority and the flags of answering_cases()
      and sla_compliance(), summed by `GROUPING SETS ((category), (language),
      (priority))` with `FILTER` (answered share, SLA compliance).

    The hours are a query of their own: the planner cannot know that a year holds
    only 8,784 local hours, and would sort a million rows to group them as a
    grouping set, where a plain GROUP BY hashes them. SQLite has no grouping sets:
    the seven functions, one query each.
    """
    now = now or timezone.now()
    if not _is_postgres():
        by_day = volume_by_day(scope)
        return {
            "total": volume_total(scope),
            "answered_share": answered_share(scope),
            "volume_by_day": by_day,
            "volume_by_hour": volume_by_hour(scope),
            "volume_by_category": volume_by_category(scope),
            "volume_by_language": volume_by_language(scope),
            "sla_compliance": sla_compliance(scope, now=now),
            "created": {row["day"]: row["count"] for row in by_day if row["count"]},
        }
    zone = display_zone()
    by_day: dict[date, int] = {}
    by_hour: dict[int, int] = {}
    # Local (naive) hour starts: their date and hour are TruncDate's and ExtractHour's.
    for local_hour, n in (
        period_cases(scope)
        .order_by()
        .annotate(local_hour=Trunc("created_at", "hour", tzinfo=zone))
        .values("local_hour")
        .annotate(n=Count("created_at"))
        .values_list("local_hour", "n")
    ):
        local_hour = timezone.localtime(local_hour, zone)
        by_day[local_hour.date()] = by_day.get(local_hour.date(), 0) + n
        by_hour[local_hour.hour] = by_hour.get(local_hour.hour, 0) + n

    # The same conditions as answering_cases() and sla_compliance(), as row flags;
    # a NULL flag (unknown) is not counted, as in those functions' filters.
    owes = ~Q(resolution__in=VOID_RESOLUTIONS)
    flags = {"owing": owes, "answered": owes & Q(first_responded_at__isnull=False)}
    flags.update({key: owes & condition for key, condition in _sla_conditions(now).items()})
    base = (
        period_cases(scope)
        .order_by()
        .annotate(
            **{
                f"f_{k}": ExpressionWrapper(q, output_field=BooleanField())
                for k, q in flags.items()
            }
        )
        .values("category", "language", "priority", *(f"f_{k}" for k in flags))
    )
    inner, params = base.query.sql_with_params()
    columns = ", ".join(["category", "language", "priority", *(f"f_{k}" for k in flags)])
    counts = ", ".join(f"COALESCE(SUM(n) FILTER (WHERE f_{k}), 0)::bigint" for k in flags)
    sql = (
        # One hash lookup and one count per case: the few hundred combinations of
        # category, language, priority and flags; the grouping sets then sum those.
        f"WITH combined AS (SELECT {columns}, COUNT(*) AS n FROM ({inner}) AS base"
        f" GROUP BY {columns})"
        " SELECT GROUPING(category) = 0, GROUPING(language) = 0, category, language,"
        f" priority, SUM(n)::bigint AS n, {counts} FROM combined"
        " GROUP BY GROUPING SETS ((category), (language), (priority))"
        # Ties in the order of volume_by_category/_language: the database's collation.
        " ORDER BY n DESC, category, language"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    categories, languages, priorities = [], [], {}
    for by_category, by_language, category, language, priority, n, *found in rows:
        if by_category:
            categories.append({"category": category, "count": n})
        elif by_language:
            languages.append({"language": language, "count": n})
        else:
            priorities[priority] = dict(zip(flags, found, strict=True))
    owing = sum(row["owing"] for row in priorities.values())
    answered = sum(row["answered"] for row in priorities.values())
    return {
        "total": sum(by_day.values()),
        "answered_share": {"cases": owing, "answered": answered, "share": _share(answered, owing)},
        "volume_by_day": [{"day": d, "count": by_day.get(d, 0)} for d in period_days(scope)],
        "volume_by_hour": [{"hour": h, "count": by_hour.get(h, 0)} for h in range(24)],
        "volume_by_category": categories,
        "volume_by_language": languages,
        "sla_compliance": _sla_rows(priorities),
        "created": by_day,
    }
