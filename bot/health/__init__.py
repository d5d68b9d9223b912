"""Account health: tone, trend and the traffic light, their rules and time windows, colour changes,
reports, cross-account incidents and the portfolio view.
"""
