"""A user's fields as other packages' statements read them: joined in, not loaded as users."""

from sqlalchemy import select

from ..database import plain_rows
from .models import User


def with_user_fields(statement, user_id, *per_user):
    """``statement`` joined to the user ``user_id`` (a column) names, with their fields.

    Adds the user's ``display_name``, ``timezone`` and ``created_at``, then a column for each
    of ``per_user``: functions of the user's id column, such as a correlated subquery.
    """
    columns = [User.display_name, User.timezone, User.created_at]
    columns += [column(User.id) for column in per_user]
    return statement.add_columns(*columns).join(User, User.id == user_id)


def recipients(user_ids):
    """Who reminders go to: ``{id: row}`` with email, name, timezone and quiet hours."""
    statement = select(
        User.id, User.email, User.display_name, User.timezone, User.quiet_hours_start,
        User.quiet_hours_end,
    ).where(User.id.in_(user_ids))  # fmt: skip
    return {row.id: row for row in plain_rows(statement)}
