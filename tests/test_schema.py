"""The spec's cerberus schema is valid cerberus, though programs skip cerberus' check of it."""

from __future__ import annotations

import cerberus.schema

from baseline.schema import SECTIONS, BaselineValidator, checked_schema


def test_sections_pass_cerberus_check_of_schemas() -> None:
    # Raises cerberus.SchemaError for a rule cerberus does not know or a malformed constraint.
    checked = cerberus.schema.DefinitionSchema(BaselineValidator(), SECTIONS)
    assert dict(checked_schema()) == dict(checked)


def test_programs_use_the_expanded_schema_without_checking_it_again() -> None:
    schema = checked_schema()
    assert isinstance(schema, cerberus.schema.UnvalidatedSchema)
    assert checked_schema() is schema
    assert set(schema) == set(SECTIONS)
