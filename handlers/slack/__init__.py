"""The Slack surface: Bolt's app and listeners, Block Kit, OAuth installs, the Web API clients and the Slack
poster.
"""
