"""Every write that matters to a plan, one module per subject: `common` (the domain error,
permission check and row lock), `content` (creating a plan, the frozen content of a
version), `workflow` (the state changes), `editing` (the editor's saves),
`collaboration` (team, mentoring threads, attachments), `alignment`."""
