"""Bulk reading for `fapiao backfill`: the files of a folder or a zip (``sources``), results kept by content
hash so an interrupted run resumes (``cache``), and a process pool with a progress bar (``runner``)."""
