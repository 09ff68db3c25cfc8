"""Who may do what during implementation: django-rules predicates over the plan.

The plan's team reports; the plan's reviewer (an active assignment) or a coordinator
verifies; the coordinator follows the monitoring board and decides change requests. What
a person may read is the plan's own `plans.view_actionplan`.
"""

import rules

from plans.rules import can_view_plan, is_assigned_reviewer, is_coordinator, is_plan_member

rules.add_perm("monitoring.view_progress", can_view_plan)
rules.add_perm("monitoring.report_progress", is_plan_member)
rules.add_perm("monitoring.verify_progress", is_assigned_reviewer | is_coordinator)
rules.add_perm("monitoring.request_change", is_plan_member)
rules.add_perm("monitoring.decide_change", is_coordinator)
rules.add_perm("monitoring.complete_plan", is_coordinator)
rules.add_perm("monitoring.view_board", is_coordinator)
