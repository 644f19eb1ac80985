"""``coach batch IN --out OUT``: grade a file of answers, streaming, in parallel, resumably.

Input is JSONL or CSV (by extension) with the fields ``id``, ``answer`` and
``scenario`` or ``question``, and optionally ``kind``, ``ai_product`` and
``label``. Output is JSONL or CSV (by extension): one record per input row, in
input order.

How it stays safe and fast:

- Streaming. Rows are read one at a time and at most a small window of chunks
  is in flight, so memory stays flat however long the file is.
  (``multiprocessing.Pool.imap`` would read the whole input ahead into its task
  queue, so the window is kept by hand with ``apply_async``.)
- Ordered. Results are written in input order whatever ``--jobs`` is, and each
  result depends only on its row, so the output is byte-identical for any
  number of workers.
- Resumable. Each record is one complete line (one complete CSV record),
  written with a single write and flushed. On start the existing output is
  read: a trailing half-written record (from a crash) is cut off, and input
  rows that already have a record are skipped. The k-th occurrence of an id in
  the input matches the k-th record with that id in the output, which keeps
  resumes exact even with duplicate ids. Re-running a finished batch is a
  no-op; ``--retry-errors`` drops the error records and grades those rows again.
- Forgiving. A broken row (bad JSON, bad CSV, missing answer, unknown scenario,
  an answer over the size limit, a duplicate id) becomes an error record
  ``{"id": ..., "line": N, "error": "..."}``, is reported on stderr with
  ``file:line`` and the id, and the batch carries on. The exit code is 1 when
  any row errored.

With a model (``settings.use_model``) the same reading, ordering, writing and
resuming apply; only the grading differs: answers go to one model session on an
event-loop thread, ``settings.jobs`` at a time (``model.model_results``), or through
the OpenAI Batch API (``model.provider_results``). A model failure is never an error
record: that answer is graded offline, with a notice in its record.

The modules follow a row through the command: ``rows`` reads it, ``resume``
decides whether it still needs grading, ``workers`` (offline) or ``model``
grades it, ``records`` encodes its output record, ``run`` writes it, and
``summary`` reports on the whole batch.
"""

from coach.batch.run import run_batch

__all__ = ["run_batch"]
