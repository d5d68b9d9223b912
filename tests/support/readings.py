"""cs-signals' words for what a reading must never do with an alert-worthy message."""

from __future__ import annotations

from bot.analysis.contract import RecommendedAction

#: Actions that file a message as good news or as nothing to do.
IDLE_ACTIONS = frozenset(
    {RecommendedAction.celebrate, RecommendedAction.no_action, RecommendedAction.expansion_follow_up}
)
