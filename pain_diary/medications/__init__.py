"""Medications, dose events, adherence and the MME table."""
