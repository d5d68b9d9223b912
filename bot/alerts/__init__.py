"""Alerts: when a scored message becomes one, the durable alert service, delivery to the alert channel, the
alert's actions and the replies still owed.
"""
