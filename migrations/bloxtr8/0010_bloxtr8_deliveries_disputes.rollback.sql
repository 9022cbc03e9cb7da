-- Undoes 0010_bloxtr8_deliveries_disputes.

CALL common.drop_immutable_columns('bloxtr8.disputes');

CALL common.drop_state_machine('bloxtr8.disputes', 'status');

DROP TABLE bloxtr8.disputes;

CALL common.drop_immutable_columns('bloxtr8.deliveries');

CALL common.drop_state_machine('bloxtr8.deliveries', 'status');

DROP TABLE bloxtr8.deliveries;
