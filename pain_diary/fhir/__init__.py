"""FHIR R4 pieces every record type's mapping shares: the Bundle it adds to, the codes it uses.

A shared library like ``analytics`` and ``charts``: no Flask, no database, no feature package.
Each record type maps its own records (its ``fhir`` part, DESIGN §1); ``insights.fhir`` makes
the Patient and the Bundle and asks each declared record type in turn.
"""
