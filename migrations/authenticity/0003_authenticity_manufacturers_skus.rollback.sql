DROP TABLE authenticity.skus;

DROP TABLE authenticity.manufacturers;
