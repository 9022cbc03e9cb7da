"""Chain helpers: address derivation and validation of on-chain values, one module per chain family."""
