"""Routing rules edited by supervisors (issue 4)."""
