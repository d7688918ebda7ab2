"""Mentorship: teachers' availability, booked 1-to-1 sessions and their video tokens."""
