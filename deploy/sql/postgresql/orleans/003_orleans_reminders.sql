-- Orleans ADO.NET reminders (invariant "Npgsql") on the same database. Idempotent.
-- Contract: rows are keyed by service, grain and reminder name; GrainHash is the grain's uniform hash as a signed
-- integer, and a silo reads the ring range (BeginHash, EndHash] — wrapping round when BeginHash >= EndHash.
-- Version is the reminder's etag: an upsert returns the new one, a delete succeeds only on the current one.

CREATE TABLE IF NOT EXISTS OrleansQuery (
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);

CREATE TABLE IF NOT EXISTS OrleansRemindersTable (
    ServiceId    varchar(150) NOT NULL,
    GrainId      varchar(150) NOT NULL,
    ReminderName varchar(150) NOT NULL,
    StartTime    timestamptz  NOT NULL,
    Period       bigint       NOT NULL,
    GrainHash    integer      NOT NULL,
    Version      integer      NOT NULL,
    PRIMARY KEY (ServiceId, GrainId, ReminderName)
);

CREATE INDEX IF NOT EXISTS ix_orleans_reminders_hash ON OrleansRemindersTable (ServiceId, GrainHash);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('UpsertReminderRowKey', $q$
    INSERT INTO OrleansRemindersTable AS r (ServiceId, GrainId, ReminderName, StartTime, Period, GrainHash, Version)
    VALUES (@ServiceId, @GrainId, @ReminderName, @StartTime, @Period, @GrainHash, 0)
    ON CONFLICT (ServiceId, GrainId, ReminderName) DO UPDATE
        SET StartTime = EXCLUDED.StartTime, Period = EXCLUDED.Period, GrainHash = EXCLUDED.GrainHash,
            Version = r.Version + 1
    RETURNING Version
$q$),
('ReadReminderRowsKey', $q$
    SELECT GrainId, ReminderName, StartTime, Period, Version FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND GrainId = @GrainId
$q$),
('ReadReminderRowKey', $q$
    SELECT GrainId, ReminderName, StartTime, Period, Version FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName
$q$),
('ReadRangeRows1Key', $q$
    SELECT GrainId, ReminderName, StartTime, Period, Version FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND GrainHash > @BeginHash AND GrainHash <= @EndHash
$q$),
('ReadRangeRows2Key', $q$
    SELECT GrainId, ReminderName, StartTime, Period, Version FROM OrleansRemindersTable
    WHERE ServiceId = @ServiceId AND (GrainHash > @BeginHash OR GrainHash <= @EndHash)
$q$),
('DeleteReminderRowKey', $q$
    WITH gone AS (
        DELETE FROM OrleansRemindersTable
        WHERE ServiceId = @ServiceId AND GrainId = @GrainId AND ReminderName = @ReminderName AND Version = @Version
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM gone)
$q$),
('DeleteReminderRowsKey', $q$
    DELETE FROM OrleansRemindersTable WHERE ServiceId = @ServiceId
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
