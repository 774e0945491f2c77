-- Orleans ADO.NET grain persistence (invariant "Npgsql") on the same database: the grain storage named "taskflow"
-- (schedules, the schedule directory, idempotency keys, the audit log; task grains keep their own taskflow.tasks).
-- Idempotent. Contract, as the provider binds and reads it:
--   * A state is found by its natural key: ServiceId, GrainTypeString (the state's name, e.g. "schedule"), and the
--     grain key as two bigints plus a string — a Guid key's two halves, or 0 and an integer key, each with its key
--     extension in GrainIdExtensionString (else NULL); or, for a string key, 0, 0 and the key itself.
--   * GrainTypeHash and GrainIdHash are 32-bit hashes of the state name and of the key that the provider computes.
--     They only narrow the index: two keys may share a hash, so every statement compares the natural key too.
--   * Version is the etag, an integer. A read answers PayloadBinary and Version, at most one row; no row means never
--     written, a row with a NULL payload means cleared. A write with GrainStateVersion NULL inserts version 1 only if
--     the state has no row at all; with a version it updates only while the row still has that version. It answers
--     NewGrainStateVersion, NULL when nothing was written, which the provider reports as InconsistentStateException.
--   * A clear keeps the row with a NULL payload and the next version; a delete (DeleteStateOnClear) removes it. Both
--     answer the new version in their first column, NULL on a stale version.

CREATE TABLE IF NOT EXISTS OrleansQuery (
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);

CREATE TABLE IF NOT EXISTS OrleansStorage (
    ServiceId              varchar(150) NOT NULL,
    GrainTypeHash          integer      NOT NULL,
    GrainIdHash            integer      NOT NULL,
    GrainTypeString        text         NOT NULL,
    GrainIdN0              bigint       NOT NULL,
    GrainIdN1              bigint       NOT NULL,
    GrainIdExtensionString text,
    -- The state as the storage serializer wrote it (TaskFlow: UTF-8 JSON, readable with convert_from(PayloadBinary, 'UTF8')).
    PayloadBinary          bytea,
    Version                integer      NOT NULL,
    ModifiedOn             timestamptz  NOT NULL DEFAULT now()
);

-- One row per state, so two activations racing to create it cannot both insert. The extension is indexed as two
-- expressions because NULL (no extension) and '' are different keys, and a plain unique index never compares NULLs.
CREATE UNIQUE INDEX IF NOT EXISTS ux_orleans_storage_state ON OrleansStorage
    (ServiceId, GrainTypeHash, GrainIdHash, GrainIdN0, GrainIdN1, GrainTypeString,
     (GrainIdExtensionString IS NULL), COALESCE(GrainIdExtensionString, ''));

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('ReadFromStorageKey', $q$
    SELECT PayloadBinary, Version FROM OrleansStorage
    WHERE ServiceId = @ServiceId AND GrainTypeHash = @GrainTypeHash AND GrainIdHash = @GrainIdHash
      AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1 AND GrainTypeString = @GrainTypeString
      AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
$q$),
('WriteToStorageKey', $q$
    WITH created AS (
        INSERT INTO OrleansStorage (ServiceId, GrainTypeHash, GrainIdHash, GrainTypeString, GrainIdN0, GrainIdN1,
                                    GrainIdExtensionString, PayloadBinary, Version)
        SELECT @ServiceId, @GrainTypeHash, @GrainIdHash, @GrainTypeString, @GrainIdN0, @GrainIdN1,
               @GrainIdExtensionString, @PayloadBinary, 1
        WHERE @GrainStateVersion IS NULL
        ON CONFLICT DO NOTHING
        RETURNING Version),
    changed AS (
        UPDATE OrleansStorage SET PayloadBinary = @PayloadBinary, Version = Version + 1, ModifiedOn = now()
        WHERE ServiceId = @ServiceId AND GrainTypeHash = @GrainTypeHash AND GrainIdHash = @GrainIdHash
          AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1 AND GrainTypeString = @GrainTypeString
          AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
          AND Version = @GrainStateVersion
        RETURNING Version)
    SELECT COALESCE((SELECT Version FROM created), (SELECT Version FROM changed)) AS NewGrainStateVersion
$q$),
('ClearStorageKey', $q$
    WITH cleared AS (
        UPDATE OrleansStorage SET PayloadBinary = NULL, Version = Version + 1, ModifiedOn = now()
        WHERE ServiceId = @ServiceId AND GrainTypeHash = @GrainTypeHash AND GrainIdHash = @GrainIdHash
          AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1 AND GrainTypeString = @GrainTypeString
          AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
          AND Version = @GrainStateVersion
        RETURNING Version)
    SELECT (SELECT Version FROM cleared) AS NewGrainStateVersion
$q$),
-- The deleted row's version + 1: the provider takes an answer equal to the version it sent as a conflict.
('DeleteStorageKey', $q$
    WITH deleted AS (
        DELETE FROM OrleansStorage
        WHERE ServiceId = @ServiceId AND GrainTypeHash = @GrainTypeHash AND GrainIdHash = @GrainIdHash
          AND GrainIdN0 = @GrainIdN0 AND GrainIdN1 = @GrainIdN1 AND GrainTypeString = @GrainTypeString
          AND GrainIdExtensionString IS NOT DISTINCT FROM @GrainIdExtensionString
          AND Version = @GrainStateVersion
        RETURNING Version)
    SELECT (SELECT Version + 1 FROM deleted) AS NewGrainStateVersion
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
