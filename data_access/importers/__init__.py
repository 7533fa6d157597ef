"""Pure importers: public and local files in, canonical observation DataFrames out.

See ``canonical.py`` for the table every importer returns. The database writer lives
elsewhere in data_access and consumes these frames.
"""
