"""Who may call a view: a signed-in patient, or a signed-in clinician.

Here and not in accounts: sync's routes (the kernel) need them and import no feature package.
accounts.auth offers them again with the rest of "who is asking".
"""

from functools import wraps

from flask_login import current_user, login_required

from .errors import ApiError


def role_required(role):
    """Answer 401 to an anonymous caller and 403 to a user whose role is not ``role``."""

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if current_user.role != role:
                raise ApiError(403, f"Only a {role} can do this.")
            return view(*args, **kwargs)

        return wrapped

    return decorator


patient_required = role_required("patient")
clinician_required = role_required("clinician")
