"""Spellings of one document that the rules in documents.py cannot join, reviewed by hand
against the pages: each key is a title as a page writes it, each value the title it is one
document with."""

SAME_DOCUMENT = {
    # the index (seed 004) abbreviates "ruslidelser og psykiske lidelser" as ROP-lidelser, as seed 001 explains
    "Retningslinjer for behandling av ROP-lidelser": "Retningslinjer for behandling av ruslidelser og psykiske lidelser",
    # the index writes "for", the article "i"; both cite IS-2428 (seeds 001, 004)
    "Veileder for psykososiale tiltak ved kriser, ulykker og katastrofer": "Veileder i psykososiale tiltak ved kriser, ulykker og katastrofer",
}
