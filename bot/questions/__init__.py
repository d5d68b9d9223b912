"""Questions to Tonewatch and their answers: the grammar, its answers from stored history, Claude's tool-
using answers, the account chart.
"""
