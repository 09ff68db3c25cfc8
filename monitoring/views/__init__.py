"""Pages of the implementation phase (docs/architecture.md: parse, check, call, render)."""
