"""Domain errors raised by services; one API handler maps them to HTTP codes."""


class CaseError(Exception):
    """Base of the helpdesk's domain errors. `code` is machine-readable."""

    code = "case_error"
    http_status = 400

    def __init__(self, message: str = "", **context):
        super().__init__(message or self.code)
        self.message = message or self.code
        self.context = context


class InvalidTransition(CaseError):
    code = "invalid_transition"
    http_status = 409


class StaleCase(CaseError):
    """The case changed since the caller read it (version mismatch or lost race)."""

    code = "stale_case"
    http_status = 409


class NotPermitted(CaseError):
    code = "not_permitted"
    http_status = 403


class InvalidInput(CaseError):
    code = "invalid_input"
    http_status = 400


class NothingToTake(CaseError):
    code = "nothing_to_take"
    http_status = 404
