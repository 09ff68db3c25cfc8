"""Domain signals of the implementation phase: verified realisations are written in bulk
(no model signals), so their writer announces them.

`realisation_changed` is sent with the plan's `cycle_id` and `agency_id` inside the
transaction that accepted a report and rewrote its plan's targets' realisations; a
receiver defers what must wait for the commit with `transaction.on_commit`.
"""

from django.dispatch import Signal

realisation_changed = Signal()
