"""The Monday digest and daily attention list: what goes in them, their chart, the optional Claude narrative
and the plain-text rendering.
"""
