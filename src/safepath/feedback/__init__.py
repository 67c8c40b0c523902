"""Complaints and feedback from affected people (accountability to affected populations).

Intake by channel (hotline, help desk, suggestion box, community meeting, and a public web form
that needs no account), acknowledgement and response deadlines by category, assignment, response
and closure with the feedback given to the person; a complaint revealing a protection risk becomes
a case, with the person's consent. Sensitive categories (sexual exploitation and abuse, fraud,
staff misconduct) are visible to the PSEA focal point only: in lists, records, reports and
exports, every query filters on it (``safepath.feedback.access``).
"""
