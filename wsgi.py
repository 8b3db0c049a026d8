"""The WSGI entry point: ``gunicorn wsgi:app``."""

from pain_diary import create_app

app = create_app()
