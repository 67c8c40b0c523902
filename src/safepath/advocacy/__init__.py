"""The advocacy log (environment building): issues raised with duty bearers (the authority and
its level), the rights and GPC risks concerned, the areas whose risk they address (shown with the
areas' risk), the actions taken (meetings, letters, joint statements) with their dates and
responses, and a status. ``safepath.advocacy.areas`` puts an area's risks, cases and advocacy side
by side."""
