DROP TABLE cocopay.analytics_events;
