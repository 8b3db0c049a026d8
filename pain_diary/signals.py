"""What one feature tells the others without importing them: sent inside the writer's transaction.

A receiver may add to the session; the sender commits. The reminders package listens, so that a
new patient gets the default rules, a rule follows its medication and its patient's timezone,
and a browser signed out of receives no more reminders. Receivers are connected by create_app
(register_listeners), never on import.
"""

from blinker import Namespace

_signals = Namespace()

#: A user was added (``sender``: the User, flushed, not committed).
user_created = _signals.signal("user-created")
#: The user's timezone changed (``sender``: the User; ``previous``: the old zone name).
timezone_changed = _signals.signal("timezone-changed")
#: A patient record was created or replaced (``sender``: the collection name;
#: ``patient_id`` and ``record_id``).
record_saved = _signals.signal("record-saved")
#: A user is signing out (``sender``: the User; ``push_endpoint``: the push endpoint of the
#: browser signing out, or None).
signed_out = _signals.signal("signed-out")
