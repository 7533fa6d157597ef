"""Bringing analysts' own files into Chorus: safety checks, formats, validation, commit.

The pipeline, in the order a file meets it:

1. ``safety.inspect_file``: refuse binary, mis-encoded, empty, oversized or over-wide files
   before anything parses them.
2. A format (``ees_generic``, ``lait``, ``fingertips``, ``template``) streams the file in
   chunks and turns each row into a *staged* row (canonical fields still as text, with
   the file's line number).
3. ``validation.validate_staged`` parses and checks each staged chunk against the
   reference data and returns canonical rows plus line-numbered problems.
4. ``pipeline.prepare_import`` spools the valid rows to disk chunk by chunk (bounded
   memory) and keeps the report; nothing is written to the database yet.
5. ``commit.commit_prepared`` upserts the valid rows revision-aware, records the batch
   either way; ``commit.rollback_batch`` undoes a batch.
"""
