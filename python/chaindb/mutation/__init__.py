"""Mutation testing of the database rules (``make mutate``).

Mutants are generated from the catalog of a migrated database and from the rule declarations
(``chaindb.mutation.generate``: what is changed, and how), each applied to its own copy of a
database migrated from zero, and the rule tests are run against it (``chaindb.mutation.run``: which
tests, in which order, and when a mutant counts as killed). The README gives the latest full score.
"""
