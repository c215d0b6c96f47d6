"""Users, roles and API tokens; the `require` decorator every API endpoint declares its roles with."""
