"""Benchmarks of PlurAlps Atlas: scripts that print figures (medians of several runs), never assertions."""
