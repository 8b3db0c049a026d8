"""Pure analytics, summaries, charts, PDF and FHIR export."""
