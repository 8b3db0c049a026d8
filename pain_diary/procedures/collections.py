"""The procedures collection: what the server derives for a procedure."""

from ..localtime import local_date
from ..sync.store import Collection
from .models import Procedure
from .schemas import ProcedureSchema


def derive(values, user):
    return {"local_date": local_date(values["performed_at"], user.tz)}


procedures = Collection(
    "procedures", Procedure, ProcedureSchema(), "performed_at", "local_date", derive
)
