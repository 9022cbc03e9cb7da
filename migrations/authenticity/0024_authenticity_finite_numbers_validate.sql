-- depends: 0023_authenticity_finite_numbers
-- Validates the existing rows against the constraints 0023 added NOT VALID (a scan that
-- does not block writes). Fails, naming the constraint, if a row holds NaN or Infinity: fix
-- those rows and migrate again.

ALTER TABLE authenticity.batches VALIDATE CONSTRAINT batches_reward_usd_target_finite_check;
