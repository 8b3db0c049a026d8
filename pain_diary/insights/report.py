"""The clinician summary page, as HTML and as PDF (WeasyPrint), from one template."""


def render_summary_html(patient, summary, charts, now):
    """Render templates/summary.html for ``summary`` with the SVG ``charts`` inline."""
    raise NotImplementedError


def html_to_pdf(html):
    """Render the summary HTML as PDF bytes."""
    raise NotImplementedError
