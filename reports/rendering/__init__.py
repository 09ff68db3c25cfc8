"""Renderers: one function per report kind, `render(job) -> (filename, bytes)`."""
