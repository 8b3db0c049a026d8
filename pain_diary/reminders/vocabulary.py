"""The reminders' own words for the pages: where a reminder arrives, in the order the API lists."""

from .models import CHANNELS

_WORDS = {"in_app": "In the app", "push": "Push notification", "email": "Email"}
#: (channel, its words), in the API's order.
CHANNEL_WORDS = tuple((channel, _WORDS[channel]) for channel in CHANNELS)
