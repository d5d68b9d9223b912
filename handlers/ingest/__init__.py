"""`POST /ingest`: tickets, survey answers (NPS, CSAT), chats and call transcripts pushed by other tools."""
