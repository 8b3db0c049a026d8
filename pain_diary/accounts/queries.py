"""A user's fields as other packages' statements read them: joined in, not loaded as users."""

from .models import User


def with_user_fields(statement, user_id, *per_user):
    """``statement`` joined to the user ``user_id`` (a column) names, with their fields.

    Adds the user's ``display_name``, ``timezone`` and ``created_at``, then a column for each
    of ``per_user``: functions of the user's id column, such as a correlated subquery.
    """
    columns = [User.display_name, User.timezone, User.created_at]
    columns += [column(User.id) for column in per_user]
    return statement.add_columns(*columns).join(User, User.id == user_id)
