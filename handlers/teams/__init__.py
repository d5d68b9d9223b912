"""The Microsoft Teams surface: the adapter at POST /api/messages, activities, Adaptive Cards, commands,
questions and the Teams poster.
"""
