"""Customer messages on their way in: the rules every way in applies, the pipeline (normalize, store,
analyze), places, history import and call transcripts.
"""
