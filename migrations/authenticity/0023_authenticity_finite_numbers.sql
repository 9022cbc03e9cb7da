-- depends: 0022_authenticity_database_clock 0008_common_finite
-- batches.reward_usd_target is an unconstrained numeric: it accepted 'NaN' ('NaN' >= 0 is
-- true in PostgreSQL) and 'Infinity'. It refuses both now (common.is_finite, 0008_common_finite),
-- like every numeric column of every schema. Added NOT VALID (new rows are checked at once,
-- without a scan under an exclusive lock); 0024 validates the existing rows.

ALTER TABLE authenticity.batches
ADD CONSTRAINT batches_reward_usd_target_finite_check CHECK (common.is_finite(reward_usd_target)) NOT VALID;

COMMENT ON CONSTRAINT batches_reward_usd_target_finite_check ON authenticity.batches IS
'The reward target is a finite number: not NaN, not +/-Infinity.';
