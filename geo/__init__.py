"""PlurAlps Atlas data pipeline: official source files -> one validated dataset of Alpine municipalities.

Pure GeoPandas and pandas; nothing here imports Dash. The flow runs one way:
sources -> boundaries -> indicators -> peripherality -> build (see docs/architecture.md).
"""
