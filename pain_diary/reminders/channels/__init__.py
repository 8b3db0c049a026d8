"""The ways a reminder reaches a patient: the inbox, Web Push, email."""
