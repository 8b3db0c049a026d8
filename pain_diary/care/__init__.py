"""Care team: invitations, links between patients and clinicians, and the audit trail."""
