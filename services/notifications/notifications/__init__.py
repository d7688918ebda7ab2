"""Notifications: mail from events (receipts, bookings, reminders, digests); contact form."""
