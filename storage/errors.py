"""Two tiers of errors.

A `UserError` carries a reason a person may read (the CLI prints it on one
line, the chat handlers show it). Anything else is a bug: it is logged with its
traceback and people see a generic message with an id.
"""

from __future__ import annotations


class UserError(Exception):
    """An error whose message is safe and useful to show to the person who caused it."""


class ConfigError(UserError):
    """A missing or invalid setting; the message names the setting."""
