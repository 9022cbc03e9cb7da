DROP TYPE authenticity.treasury_op_type;

DROP TYPE authenticity.verification_result;

DROP TYPE authenticity.verify_intent_status;

DROP TYPE authenticity.code_pack_status;

DROP TYPE authenticity.batch_status;

DROP TYPE authenticity.manufacturer_status;
