"""Reading rankme's results (JSONL and CSV) and its --spectrum file, and drawing the report of a sweep.

results  one Result per scored dataset, from either results format; runs and checkpoint positions
spectra  the singular values written by --spectrum
figures  the matplotlib figures of the report
page     the self-contained HTML page
"""
