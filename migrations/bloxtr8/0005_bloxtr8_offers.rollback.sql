-- Undoes 0005_bloxtr8_offers.

CALL common.drop_immutable_columns('bloxtr8.offers');

CALL common.drop_state_machine('bloxtr8.offers', 'status');

DROP TABLE bloxtr8.offers;
