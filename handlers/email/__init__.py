"""Connected IMAP inboxes: polling, parsing one email into what the customer wrote this time, and who sent
it.
"""
