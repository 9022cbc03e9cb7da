-- Analytics events: appended in bulk, read back by user.

-- name: analytics_event_append_many(event_name, properties, user_id, session_id, device_id, ip_address, user_agent)*!
-- Append events in bulk (executemany, pipelined); returns how many were written.
-- @nullable-param user_id, session_id, device_id, ip_address, user_agent
INSERT INTO cocopay.analytics_events (event_name, properties, user_id, session_id, device_id, ip_address, user_agent)
VALUES (
    :event_name::varchar,
    :properties::jsonb,
    :user_id::uuid,
    :session_id::uuid,
    :device_id::varchar,
    :ip_address::inet,
    :user_agent::text
);

-- name: analytics_event_list_by_user(user_id, max_rows)
-- A user's latest events, newest first.
SELECT e.*
FROM cocopay.analytics_events AS e
WHERE e.user_id = :user_id::uuid
ORDER BY e.created_at DESC, e.id ASC
LIMIT :max_rows::integer;

-- name: analytics_event_count_by_name(event_name)$
-- How many events have this name.
-- @not-null n
-- @one
SELECT count(*) AS n FROM cocopay.analytics_events AS e
WHERE e.event_name = :event_name::varchar;

-- name: analytics_event_count_recent(event_name, within)$
-- How many events have this name in the last `within` by the database's clock: only the monthly partitions
-- that period spans are read (pruned when the statement starts).
-- @not-null n
-- @one
SELECT count(*) AS n FROM cocopay.analytics_events AS e
WHERE
    e.event_name = :event_name::varchar
    AND e.created_at > common.now() - :within::interval
    AND e.created_at <= common.now();
