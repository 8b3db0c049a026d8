"""`flask users ...`: manage accounts from the command line."""

import click
import marshmallow as ma
from flask.cli import AppGroup

from ..extensions import db
from .auth import end_sessions
from .models import ROLES
from .passwords import password_problems
from .schemas import UserSchema
from .users import create_user, iana_timezones, user_by_email

users_cli = AppGroup("users", help="Manage user accounts.")


def _validated(email, password, timezone):
    """The address as it is stored, once email, password and time zone pass the API's rules."""
    try:
        email = UserSchema().fields["email"].deserialize(email)
    except ma.ValidationError as error:
        raise click.BadParameter(" ".join(error.messages), param_hint="--email") from None
    if problems := password_problems(password):
        raise click.BadParameter(" ".join(problems), param_hint="--password")
    if timezone not in iana_timezones():
        raise click.BadParameter("not an IANA time zone name", param_hint="--timezone")
    return email


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--password", required=True, prompt=True, hide_input=True)
@click.option("--role", type=click.Choice(ROLES), default="patient", show_default=True)
@click.option("--timezone", default="UTC", show_default=True)
@click.option("--display-name", default=None, help="Defaults to the part of the email before @.")
def create(email, password, role, timezone, display_name):
    """Create a user (the way to make clinicians when self-signup is off)."""
    email = _validated(email, password, timezone)
    if user_by_email(email) is not None:
        raise click.ClickException(f"a user with email {email} exists already")
    user = create_user(email, password, display_name or email.rpartition("@")[0], role, timezone)
    db.session.commit()
    click.echo(f"created {user.role} {user.email} ({user.id})")


@users_cli.command("disable")
@click.option("--email", required=True)
def disable(email):
    """Disable a user and end all their sessions at once."""
    user = user_by_email(email)
    if user is None:
        raise click.ClickException(f"no user with email {email}")
    user.is_disabled = True
    end_sessions(user)
    db.session.commit()
    click.echo(f"disabled {user.email}")
