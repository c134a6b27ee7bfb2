"""Business calendars, SLA policies, escalation ladders (issue 5)."""
