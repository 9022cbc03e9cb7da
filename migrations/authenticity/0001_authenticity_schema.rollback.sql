DROP FUNCTION authenticity.raise_not_found(text, text);

DROP FUNCTION authenticity.forbid_change(text, text);

DROP FUNCTION authenticity.is_solana_address(text);

DROP FUNCTION authenticity.base58_takes_bytes(text, integer);

DROP FUNCTION authenticity.base58_pow256(integer);

DROP DOMAIN authenticity.bytes32;

DROP SCHEMA authenticity;
