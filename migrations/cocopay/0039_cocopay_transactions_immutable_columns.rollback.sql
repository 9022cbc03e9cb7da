CALL common.drop_immutable_columns('cocopay.transactions');
