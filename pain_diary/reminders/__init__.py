"""Reminders: the rules a patient sets, the deliveries the scheduler makes, the inbox, Web Push."""
