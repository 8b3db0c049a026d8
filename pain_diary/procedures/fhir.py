"""Procedures as FHIR R4 Procedure resources (DESIGN §4).

:func:`procedure_resources` is the record type's ``fhir`` part: it adds the patient's
procedures, oldest first, to the patient's :class:`~pain_diary.fhir.bundle.Bundle`.
"""

from ..fhir.codes import SNOMED, body_site, concept, notes

#: Each kind in the words a clinician reads; the resource's ``code.text``.
KIND_WORDS = {
    "epidural_steroid_injection": "Epidural steroid injection",
    "facet_joint_injection": "Facet joint injection",
    "medial_branch_block": "Medial branch block",
    "radiofrequency_ablation": "Radiofrequency ablation",
    "nerve_block": "Nerve block",
    "trigger_point_injection": "Trigger point injection",
    "botulinum_toxin_injection": "Botulinum toxin injection",
    "prp_injection": "Platelet-rich plasma (PRP) injection",
    "stem_cell_injection": "Stem cell injection",
    "prolotherapy": "Prolotherapy",
    "scs_trial": "Spinal cord stimulator trial",
    "scs_implant": "Spinal cord stimulator implant",
    "drg_stimulator": "Dorsal root ganglion stimulator",
    "peripheral_nerve_stimulator": "Peripheral nerve stimulator",
    "surgery": "Surgery",
    "other": "Other procedure",
}
#: SNOMED CT procedures, only where the concept id was checked against a published source;
#: every other kind is text only, since a wrong code in a clinic's record is worse than none.
KIND_PROCEDURES = {
    # 387713003 |Surgical procedure|: in HL7's "Procedures - SNOMED CT IPS Free Set" value set
    # (HL7 International Patient Summary IG, expansion on SNOMED CT 2022-07-31).
    "surgery": ("387713003", "Surgical procedure"),
}


def procedure_resources(records, bundle):
    """One Procedure per procedure."""
    for procedure in records["procedures"]:
        bundle.add(procedure.id, _procedure(procedure, bundle))


def _procedure(procedure, bundle):
    """The kind in words (SNOMED CT where verified), when, where, by whom, and the relief."""
    words = KIND_WORDS.get(procedure.kind, procedure.kind)
    if procedure.kind in KIND_PROCEDURES:
        code = concept(SNOMED, *KIND_PROCEDURES[procedure.kind], words)
    else:
        code = {"text": words}
    resource = {
        "resourceType": "Procedure",
        "status": "completed",
        "code": code,
        "subject": bundle.subject,
    }
    if procedure.trial_ends_at is not None:  # a stimulator trial: lead placed, then removed
        resource["performedPeriod"] = {
            "start": bundle.time(procedure.performed_at),
            "end": bundle.time(procedure.trial_ends_at),
        }
    else:
        resource["performedDateTime"] = bundle.time(procedure.performed_at)
    sites = [body_site(site) for site in procedure.body_sites or ()]
    if procedure.level:  # the spinal level is where, too: a site in words beside the others
        sites.append({"text": f"Level {procedure.level}"})
    if sites:
        resource["bodySite"] = sites
    if procedure.provider:
        resource["performer"] = [{"actor": {"display": procedure.provider}}]
    if procedure.reported_relief_percent is not None:
        relief = f"Relief reported by the patient: {procedure.reported_relief_percent} %"
        resource["outcome"] = {"text": relief}
    return resource | notes(procedure.note)
