"""The procedures collection: what the server derives for a procedure."""

from ..sync.store import Collection, dated_by
from .models import Procedure
from .schemas import ProcedureSchema

procedures = Collection(
    "procedures",
    Procedure,
    ProcedureSchema(),
    "performed_at",
    "local_date",
    dated_by("performed_at"),
    about=(
        "One row per procedure (injection, nerve block, ablation, stimulator trial or implant, "
        "regenerative therapy): kind, when, the trial's end, body_sites [{site, side}], level, "
        "provider, the relief the patient reported (%)."
    ),
)
