"""The pure core: event model, commands, state and its `apply`.

Nothing here does I/O, reads a clock or makes random ids: time and sequence
numbers come in with each entry, so folding the same log always gives the
same state, in every process.
"""
