"""The running process: the aiohttp server, the durable work queue's worker, group commit, thread pools,
metrics, logs and secret scrubbing.
"""
