-- Orleans ADO.NET clustering (invariant "Npgsql") for TaskFlow silos and clients. Idempotent.
-- The provider loads its statements from OrleansQuery by key (unqualified name, so these tables live in the
-- default schema) and binds @-parameters named after its columns. Every statement below is written for
-- PostgreSQL from that contract:
--   * reads return the cluster's version row LEFT JOINed to its members, so an empty cluster still yields its
--     version (StartTime null means "no member");
--   * inserts and updates of a member succeed only while the version still equals @Version (the version the
--     silo read), bumping it in the same statement, and answer one boolean.

CREATE TABLE IF NOT EXISTS OrleansQuery (
    QueryKey  varchar(64) NOT NULL PRIMARY KEY,
    QueryText text        NOT NULL
);

CREATE TABLE IF NOT EXISTS OrleansMembershipVersionTable (
    DeploymentId varchar(150) NOT NULL PRIMARY KEY,
    Timestamp    timestamptz  NOT NULL DEFAULT now(),
    Version      integer      NOT NULL DEFAULT 0
);

CREATE TABLE IF NOT EXISTS OrleansMembershipTable (
    DeploymentId varchar(150) NOT NULL,
    Address      varchar(45)  NOT NULL,
    Port         integer      NOT NULL,
    Generation   integer      NOT NULL,
    SiloName     varchar(150) NOT NULL,
    HostName     varchar(150) NOT NULL,
    Status       integer      NOT NULL,
    ProxyPort    integer,
    SuspectTimes varchar(8000),
    StartTime    timestamptz  NOT NULL,
    IAmAliveTime timestamptz  NOT NULL,
    PRIMARY KEY (DeploymentId, Address, Port, Generation)
);

INSERT INTO OrleansQuery (QueryKey, QueryText) VALUES
('InsertMembershipVersionKey', $q$
    WITH created AS (
        INSERT INTO OrleansMembershipVersionTable (DeploymentId) VALUES (@DeploymentId)
        ON CONFLICT (DeploymentId) DO NOTHING
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM created)
$q$),
('InsertMembershipKey', $q$
    WITH bumped AS (
        UPDATE OrleansMembershipVersionTable SET Version = Version + 1, Timestamp = now()
        WHERE DeploymentId = @DeploymentId AND Version = @Version
          AND NOT EXISTS (SELECT 1 FROM OrleansMembershipTable
                          WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation)
        RETURNING 1),
    added AS (
        INSERT INTO OrleansMembershipTable (DeploymentId, Address, Port, Generation, SiloName, HostName, Status,
                                            ProxyPort, StartTime, IAmAliveTime)
        SELECT @DeploymentId, @Address, @Port, @Generation, @SiloName, @HostName, @Status,
               @ProxyPort, @StartTime, @IAmAliveTime
        FROM bumped
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM added)
$q$),
('UpdateMembershipKey', $q$
    WITH bumped AS (
        UPDATE OrleansMembershipVersionTable SET Version = Version + 1, Timestamp = now()
        WHERE DeploymentId = @DeploymentId AND Version = @Version
          AND EXISTS (SELECT 1 FROM OrleansMembershipTable
                      WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation)
        RETURNING 1),
    changed AS (
        UPDATE OrleansMembershipTable
        SET Status = @Status, SuspectTimes = @SuspectTimes, IAmAliveTime = @IAmAliveTime
        WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation
          AND EXISTS (SELECT 1 FROM bumped)
        RETURNING 1)
    SELECT EXISTS (SELECT 1 FROM changed)
$q$),
('UpdateIAmAlivetimeKey', $q$
    UPDATE OrleansMembershipTable SET IAmAliveTime = @IAmAliveTime
    WHERE DeploymentId = @DeploymentId AND Address = @Address AND Port = @Port AND Generation = @Generation
$q$),
('MembershipReadRowKey', $q$
    SELECT v.Version, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
           m.SuspectTimes, m.StartTime, m.IAmAliveTime
    FROM OrleansMembershipVersionTable v
    LEFT JOIN OrleansMembershipTable m
           ON m.DeploymentId = v.DeploymentId AND m.Address = @Address AND m.Port = @Port AND m.Generation = @Generation
    WHERE v.DeploymentId = @DeploymentId
$q$),
('MembershipReadAllKey', $q$
    SELECT v.Version, m.Address, m.Port, m.Generation, m.SiloName, m.HostName, m.Status, m.ProxyPort,
           m.SuspectTimes, m.StartTime, m.IAmAliveTime
    FROM OrleansMembershipVersionTable v
    LEFT JOIN OrleansMembershipTable m ON m.DeploymentId = v.DeploymentId
    WHERE v.DeploymentId = @DeploymentId
$q$),
('GatewaysQueryKey', $q$
    SELECT Address, ProxyPort, Generation FROM OrleansMembershipTable
    WHERE DeploymentId = @DeploymentId AND Status = @Status AND ProxyPort > 0
$q$),
('DeleteMembershipTableEntriesKey', $q$
    WITH members AS (DELETE FROM OrleansMembershipTable WHERE DeploymentId = @DeploymentId)
    DELETE FROM OrleansMembershipVersionTable WHERE DeploymentId = @DeploymentId
$q$),
-- Status 3 is Active: only silos that stopped (or were declared dead) and have been silent since the cutoff go.
('CleanupDefunctSiloEntriesKey', $q$
    DELETE FROM OrleansMembershipTable
    WHERE DeploymentId = @DeploymentId AND IAmAliveTime < @IAmAliveTime AND Status <> 3
$q$)
ON CONFLICT (QueryKey) DO UPDATE SET QueryText = EXCLUDED.QueryText;
