"""The outbound port: what the core hands to a platform to post (digests, alerts, notices); each platform
implements it once.
"""
