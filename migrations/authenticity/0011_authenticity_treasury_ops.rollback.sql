DROP TABLE authenticity.treasury_ops;
