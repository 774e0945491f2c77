using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Storage;
using TaskFlow.Grains;
using TaskFlow.IntegrationTests.Categories;
using TaskFlow.IntegrationTests.Infrastructure;
using TaskFlow.Scheduling;
using TaskFlow.Storage;

namespace TaskFlow.IntegrationTests.Storage;

/// <summary>The grain storage contract on PostgreSQL — Orleans' ADO.NET grain storage, as a silo configures it, over
/// TaskFlow's own script for it — plus what only it has: versioned clears, the <c>OrleansStorage</c> table and the
/// carry-over of the <c>taskflow.grain_state</c> rows an older version left.</summary>
[Collection(PostgresCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Postgres)]
public sealed class PostgresGrainStorageTests(PostgresServer server) : GrainStorageContractTests
{
    private string _connectionString = "";
    private IHost? _silo;
    private PostgresTaskStore? _oldStore;

    protected override async Task<IGrainStorage> CreateStorageAsync()
    {
        _connectionString = await server.CreateDatabaseAsync();
        _silo = await PostgresSilo.StartAsync(_connectionString);
        return _silo.Services.GetRequiredKeyedService<IGrainStorage>(TaskFlowStorage.Name);
    }

    protected override async Task DeleteDatabaseAsync()
    {
        if (_silo is not null)
        {
            await _silo.StopAsync();
            _silo.Dispose();
        }
        if (_oldStore is not null) await _oldStore.DisposeAsync();
        if (_connectionString.Length > 0) await server.DropDatabaseAsync(_connectionString);
    }

    [Fact]
    public async Task A_clear_with_a_stale_version_is_refused()
    {
        var state = new GrainState<ScheduleState>(Fired(0));
        await Storage.WriteStateAsync("schedule", Nightly, state);
        var stale = new GrainState<ScheduleState>(state.State, state.ETag) { RecordExists = true };
        await Storage.WriteStateAsync("schedule", Nightly, state);

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.ClearStateAsync("schedule", Nightly, stale));
        Assert.True((await ReadAsync(Nightly)).RecordExists);
    }

    [Fact]
    public async Task States_live_in_the_Orleans_storage_table_as_readable_json()
    {
        var state = new GrainState<ScheduleState>(Fired(0));
        await Storage.WriteStateAsync("schedule", Nightly, state);
        await Storage.WriteStateAsync("schedules", ScheduleDirectory, new GrainState<ScheduleDirectoryState>(new ScheduleDirectoryState { Known = ["nightly"] }));

        var rows = await QueryAsync("""
            SELECT GrainTypeString, GrainIdN0, GrainIdN1, GrainIdExtensionString, Version, convert_from(PayloadBinary, 'UTF8')
            FROM OrleansStorage ORDER BY GrainTypeString
            """);

        Assert.Equal(2, rows.Count);
        Assert.Equal(new object[] { "schedule", 0L, 0L, "nightly", 1 }, rows[0][..5]);
        Assert.Contains($"\"lastTaskId\":\"{state.State!.LastTaskId}\"", (string)rows[0][5], StringComparison.Ordinal);
        Assert.Contains("\"lastOccurrence\":\"2026-12-01T09:00:00+00:00\"", (string)rows[0][5], StringComparison.Ordinal);
        Assert.Equal(new object[] { "schedules", 0L, 0L, DBNull.Value, 1, """{"known":["nightly"],"runtime":[]}""" }, rows[1]);
        Assert.Equal(0L, (await QueryAsync("SELECT COUNT(*) FROM taskflow.grain_state"))[0][0]);
    }

    [Fact]
    public async Task A_database_failure_is_reported_as_the_store_being_unavailable()
    {
        await QueryAsync("ALTER TABLE OrleansStorage RENAME TO OrleansStorageAway");

        await Assert.ThrowsAsync<TaskStoreUnavailableException>(() => ReadAsync(Nightly));
        await Assert.ThrowsAsync<TaskStoreUnavailableException>(() => Storage.WriteStateAsync("schedule", Nightly, new GrainState<ScheduleState>(Fired(0))));
    }

    [Fact]
    public async Task Old_rows_are_carried_over_as_they_were_stored_and_removed()
    {
        var schedule = Fired(0);
        await WriteOldAsync("schedule", Nightly, schedule);
        var audit = new AuditState { Entries = [new AuditEntry("pause", ["7b0c6f3e-5d7a-4c38-9a51-2f1f3c9e8d10"], "alice", T0, "nightly")] };
        await WriteOldAsync("audit", GrainId.Create(GrainType.Create("taskflow.audit"), GrainIdKeyExtensions.CreateIntegerKey(0)), audit);

        var result = await CarryOverAsync();

        Assert.Equal(new CarryOverResult(Carried: 2, AlreadyStored: 0, Unreadable: 0), result);
        Assert.Equivalent(schedule, (await ReadAsync(Nightly)).State, strict: true);
        var readAudit = new GrainState<AuditState>(new AuditState());
        await Storage.ReadStateAsync("audit", GrainId.Create(GrainType.Create("taskflow.audit"), GrainIdKeyExtensions.CreateIntegerKey(0)), readAudit);
        Assert.Equivalent(audit.Entries, readAudit.State!.Entries, strict: true);
        Assert.Equal(0L, (await QueryAsync("SELECT COUNT(*) FROM taskflow.grain_state"))[0][0]);
        Assert.Equal(new CarryOverResult(0, 0, 0), await CarryOverAsync());
    }

    [Fact]
    public async Task A_state_the_Orleans_storage_already_holds_wins_over_an_old_row_even_when_cleared()
    {
        var written = new GrainState<ScheduleState>(Fired(10));
        await Storage.WriteStateAsync("schedule", Nightly, written);
        var retired = GrainId.Create("taskflow.schedule", "retired");
        var cleared = new GrainState<ScheduleState>(Fired(10));
        await Storage.WriteStateAsync("schedule", retired, cleared);
        await Storage.ClearStateAsync("schedule", retired, cleared);
        await WriteOldAsync("schedule", Nightly, Fired(0));
        await WriteOldAsync("schedule", retired, Fired(0));

        var result = await CarryOverAsync();

        Assert.Equal(new CarryOverResult(Carried: 0, AlreadyStored: 2, Unreadable: 0), result);
        Assert.Equal(T0.AddMinutes(10), (await ReadAsync(Nightly)).State!.LastOccurrence);
        Assert.False((await ReadAsync(retired)).RecordExists);
        Assert.Equal(0L, (await QueryAsync("SELECT COUNT(*) FROM taskflow.grain_state"))[0][0]);
    }

    [Fact]
    public async Task An_unreadable_old_row_stays_and_the_others_are_carried_over()
    {
        await QueryAsync("""
            INSERT INTO taskflow.grain_state (grain_type, grain_key, etag, state) VALUES
                ('taskflow.schedule/schedule', 'broken', 1, '{ this is not json'),
                ('no-state-name', 'x', 1, '{}')
            """);
        await WriteOldAsync("schedule", Nightly, Fired(0));

        var result = await CarryOverAsync();

        Assert.Equal(new CarryOverResult(Carried: 1, AlreadyStored: 0, Unreadable: 2), result);
        Assert.True((await ReadAsync(Nightly)).RecordExists);
        Assert.Equal(2L, (await QueryAsync("SELECT COUNT(*) FROM taskflow.grain_state"))[0][0]);
    }

    [Fact]
    public async Task Many_old_rows_are_carried_over_page_by_page()
    {
        var schedules = Enumerable.Range(0, 1_234).Select(i => (Grain: GrainId.Create("taskflow.schedule", $"s{i:D4}"), State: Fired(i))).ToList();
        var old = new TaskFlowGrainStorage(await OldStoreAsync());
        foreach (var chunk in schedules.Chunk(100))
            await Task.WhenAll(chunk.Select(s => old.WriteStateAsync("schedule", s.Grain, new GrainState<ScheduleState>(s.State))));

        var result = await CarryOverAsync();

        Assert.Equal(new CarryOverResult(Carried: schedules.Count, AlreadyStored: 0, Unreadable: 0), result);
        foreach (var (grain, state) in schedules.Where((_, i) => i % 97 == 0))
            Assert.Equal(state.LastOccurrence, (await ReadAsync(grain)).State!.LastOccurrence);
        Assert.Equal((long)schedules.Count, (await QueryAsync("SELECT COUNT(*) FROM OrleansStorage WHERE PayloadBinary IS NOT NULL"))[0][0]);
    }

    private async Task<CarryOverResult> CarryOverAsync()
    {
        await using var dataSource = Npgsql.NpgsqlDataSource.Create(_connectionString);
        return await new GrainStateCarryOver(dataSource, Storage, NullLogger<GrainStateCarryOver>.Instance).RunAsync(CancellationToken.None);
    }

    /// <summary>Writes a state as TaskFlow's own grain storage did before PostgreSQL moved to the ADO.NET one.</summary>
    private async Task WriteOldAsync<T>(string stateName, GrainId grain, T state) =>
        await new TaskFlowGrainStorage(await OldStoreAsync()).WriteStateAsync(stateName, grain, new GrainState<T>(state));

    private async Task<PostgresTaskStore> OldStoreAsync()
    {
        if (_oldStore is null)
        {
            _oldStore = new PostgresTaskStore(_connectionString, NullLogger<PostgresTaskStore>.Instance);
            await _oldStore.InitializeAsync(CancellationToken.None);
        }
        return _oldStore;
    }

    private Task<List<object[]>> QueryAsync(string sql) => PostgresRows.QueryAsync(_connectionString, sql);
}
