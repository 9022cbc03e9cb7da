-- Undoes 0004_bloxtr8_listings.

CALL common.drop_immutable_columns('bloxtr8.listings');

CALL common.drop_state_machine('bloxtr8.listings', 'status');

DROP TABLE bloxtr8.listings;
