"""National-scale benchmark: a dataset generator (bench.generate) and the runner (bench.run).

Not part of the app or of ``make test``; ``make bench`` runs it.
"""
