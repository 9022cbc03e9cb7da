-- Undoes 0009_bloxtr8_escrows.

CALL common.drop_immutable_columns('bloxtr8.milestone_escrows');

DROP TABLE bloxtr8.milestone_escrows;

CALL common.drop_immutable_columns('bloxtr8.stablecoin_escrows');

DROP TABLE bloxtr8.stablecoin_escrows;

CALL common.drop_immutable_columns('bloxtr8.stripe_escrows');

DROP TABLE bloxtr8.stripe_escrows;

CALL common.drop_immutable_columns('bloxtr8.escrows');

CALL common.drop_state_machine('bloxtr8.escrows', 'status');

DROP TABLE bloxtr8.escrows;

DROP FUNCTION bloxtr8.tg_escrows__rail_detail();
