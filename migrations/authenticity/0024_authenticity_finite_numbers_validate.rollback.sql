-- Undoes 0024: the constraint it validated is NOT VALID again, as 0023 left it (a validated
-- constraint cannot be marked NOT VALID: it is dropped and added back NOT VALID, with its comment).

ALTER TABLE authenticity.batches DROP CONSTRAINT batches_reward_usd_target_finite_check;

ALTER TABLE authenticity.batches
ADD CONSTRAINT batches_reward_usd_target_finite_check CHECK (common.is_finite(reward_usd_target)) NOT VALID;

COMMENT ON CONSTRAINT batches_reward_usd_target_finite_check ON authenticity.batches IS
'The reward target is a finite number: not NaN, not +/-Infinity.';
