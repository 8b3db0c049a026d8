"""Pages, health probes and security headers."""
