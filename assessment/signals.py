"""Domain signals of the assessment: how other apps learn what a bulk write did, since a
bulk write sends no model signals.

`reviewers_assigned` is sent by automatic assignment once per batch that created
assignments, with `cycle_id` and `assignments` (the new ReviewAssignment rows), inside the
batch's transaction: a receiver defers what must wait for the commit with
`transaction.on_commit`.

`participants_imported` is sent by the participants import, likewise.
"""

from django.dispatch import Signal

reviewers_assigned = Signal()

# Sent by the participants import once it has written users, agents and agencies in bulk,
# with `users` (the ids written), inside the import's transaction.
participants_imported = Signal()
