"""Users, sessions, API tokens and the password policy."""
