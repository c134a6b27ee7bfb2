"""A domain error in the reader's language: services raise machine codes and
context; the UI and the admin say it in words here."""

from django.utils.translation import gettext as _

from .exceptions import CaseError


def error_text(error: CaseError) -> str:
    """A domain error in words: by its code, with the service's English as a last resort."""
    context = error.context
    code = error.code
    if code == "stale_case":
        return _("the case changed since you loaded it")
    if code == "invalid_transition":
        if "status" in context and "requested" in context:
            return _("a %(status)s case cannot become %(requested)s") % {
                "status": _status_name(context["status"]),
                "requested": _status_name(context["requested"]),
            }
        return _("this is not possible in the case's current state")
    if code == "not_permitted":
        return _("you are not allowed to do this")
    if code == "nothing_to_take":
        return _("no unassigned case is waiting in your queues")
    if code == "invalid_input":
        if "weighted_length" in context:
            return _(
                "the reply is %(length)s characters as X counts them; the limit is %(limit)s"
            ) % {"length": context["weighted_length"], "limit": context.get("limit", 280)}
        return _("this was refused: %(detail)s") % {"detail": error.message}
    return error.message


def _status_name(code: str) -> str:
    from .templatetags.sada import STATUS_NAMES

    return str(STATUS_NAMES.get(code, code))
