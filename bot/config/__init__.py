"""Settings: read once from the environment (and `.env`, `*_FILE` secrets) by the composition root; connected
inboxes.
"""
