"""Domain signals of plans: how other apps learn that something happened to plans.

`plan_state_changed` is sent by `plans.services.workflow.transition` (one plan) and
`transition_many` (many plans along the same edge, once for all of them), with
`plans` (the ActionPlan objects, already in their new state), `from_state`, `to_state`,
`by` (the actor, None for the system) and `action` (the audit log's action code).

It is sent inside the transaction that made the change, right after the write, so that a
receiver sees the same database state as the service. A receiver whose effect must wait
for the commit (a cache version, a task) defers it with `transaction.on_commit` itself;
when the transaction rolls back, those deferred effects never happen.
"""

from django.dispatch import Signal

plan_state_changed = Signal()
