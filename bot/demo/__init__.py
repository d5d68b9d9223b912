"""`tonewatch demo`: a week of a small portfolio played through the real app against a local stand-in of the
Slack Web API.
"""
