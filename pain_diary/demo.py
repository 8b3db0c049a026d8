"""`flask demo`: a demo patient and a demo clinician with known credentials."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from .accounts.models import User
from .accounts.routes import create_user
from .extensions import db

DEMO_PASSWORD = "demo-pain-diary"
DEMO_USERS = (
    ("patient@demo.example", "Demo Patient", "patient", "Europe/Berlin"),
    ("clinician@demo.example", "Dr Demo Clinician", "clinician", "Europe/Berlin"),
)


@click.command("demo")
@with_appcontext
def demo_command():
    """Create (or reuse) the demo patient and clinician and print their credentials."""
    for email, name, role, timezone in DEMO_USERS:
        user = db.session.scalar(select(User).where(User.email == email))
        if user is None:
            user = create_user(email, DEMO_PASSWORD, name, role, timezone)
        db.session.commit()
        click.echo(f"{role:<10} {email}  password: {DEMO_PASSWORD}")
