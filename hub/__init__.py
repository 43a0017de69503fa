"""Multiplex: a live hub for hybrid events held on several sites at once."""
