"""Answering: readings of a question, one documented rule to choose one, and the reply.

The flow, in the order a newcomer should read it: ``view`` (lookups built once per knowledge)
-> ``kinds`` (one module per kind of question, registered in one table; each proposes readings)
-> ``scores`` (the one rule that ranks readings) -> ``planner`` (runs the kinds, applies the
rule, abstains, answers multi-part questions part by part).
"""
