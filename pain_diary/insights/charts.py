"""SVG trend charts of a patient's diary (matplotlib, Agg)."""

CHARTS = ("pain", "sleep", "adherence", "therapy")


def render_chart(name, diary, locale=None):
    """Render chart ``name`` of ``diary`` (an insights.diary.Diary) as SVG text."""
    raise NotImplementedError
