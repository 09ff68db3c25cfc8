"""Who may read the list of agencies: everyone signed in (the plan list's filters and the
API's reference data); changing them is the admin site's."""

import rules

rules.add_perm("agencies.view_agency_list", rules.is_authenticated)
