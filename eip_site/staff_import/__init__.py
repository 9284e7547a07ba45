"""Staff import and export: the directory as a CSV or XLSX "strengths and skills
spreadsheet", and a school's staff list imported from one (upload, preview, confirm).

spreadsheets reads and writes the files (bytes only, no database); rows checks one row on
its own; preview compares the rows with the directory; services carries the preview to the
confirm step and applies it; export writes the directory and the template out.

Its pages keep the ``directory.*`` endpoint names and URLs they always had, so its views are
routes on the directory's blueprint: ``register`` must run before the directory registers
that blueprint."""
