"""Who may do what with the gallery: the plan's team gives or withdraws its consent and
marks evidence public; the Biro Organisasi publishes and unpublishes. Reading the gallery
needs no rule: it is public, and what it shows is decided by its selectors."""

import rules

from plans.rules import is_coordinator, is_plan_member

rules.add_perm("gallery.give_consent", is_plan_member)
rules.add_perm("gallery.publish", is_coordinator)
