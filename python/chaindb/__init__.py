"""chaindb: the PostgreSQL data layer of five on-chain payment products."""
