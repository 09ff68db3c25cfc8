"""Pages of the assessment, one module per chair: `reviewer`; the coordinator's
`coordinator` (board, assignment, one plan's reviews, calibration), `cycles` (cycles and
rubric), `participants` (the import) and `decisions` (with the agent's view of the
decision). Thin: parse, check, call a selector or a service; shared helpers in `common`.
"""
