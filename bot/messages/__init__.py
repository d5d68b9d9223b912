"""Customer messages on their way in: the one inbound type, the pipeline (normalize, store, analyze), places,
history import and call transcripts.
"""
