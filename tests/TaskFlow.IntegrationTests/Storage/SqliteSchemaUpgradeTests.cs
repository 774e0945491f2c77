using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using TaskFlow.Grains;
using TaskFlow.Storage;
using TaskFlow.Tasks;

namespace TaskFlow.IntegrationTests.Storage;

/// <summary>Opening files older and newer than the code. <c>Fixtures/taskflow-v1.db</c> was written through the
/// version-1 <see cref="SqliteTaskStore"/> (commit 79dbc01): tasks 1–12 (ids 00000000-0000-0000-0000-0000000000NN),
/// created pending and then moved to success (4), failed (2), running (2) or cancelled (2), or left pending (2; tasks
/// 3 and 9), plus the grain state taskflow.schedule/sync_exchange_rates.</summary>
public sealed class SqliteSchemaUpgradeTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"taskflow-upgrade-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" }) File.Delete(file);
    }

    private static Guid Id(int n) => Guid.Parse($"00000000-0000-0000-0000-{n:D12}");

    private async Task<SqliteTaskStore> OpenAsync()
    {
        var store = new SqliteTaskStore($"Data Source={_path}", NullLogger<SqliteTaskStore>.Instance);
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    private async Task<List<long>> VersionsAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={_path}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT version FROM taskflow_schema ORDER BY version";
        var versions = new List<long>();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync()) versions.Add(reader.GetInt64(0));
        return versions;
    }

    [Fact]
    public async Task A_version_1_file_is_upgraded_at_start_and_its_tasks_states_and_counts_carry_on()
    {
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Storage", "Fixtures", "taskflow-v1.db"), _path);
        Assert.Equal([1], await VersionsAsync());

        await using var store = await OpenAsync();

        Assert.Equal(Enumerable.Range(1, SqliteSchema.Version).Select(v => (long)v), await VersionsAsync());
        var pending = await store.ReadTaskAsync(Id(3));
        Assert.Equal((TaskRunStatus.Pending, "1"), (pending!.Value.Status, pending.ETag));
        Assert.Equal("""{"address":"a@b.c"}""", pending.Value.Record.ArgsJson);
        Assert.Equal(TaskRunStatus.Success, (await store.ReadTaskAsync(Id(12)))!.Value.Status);
        Assert.Equal("""{"paused":false}""", (await store.ReadStateAsync("taskflow.schedule", "sync_exchange_rates"))!.Value);
        Assert.Equal(12, (await store.QueryAsync(new TaskQuery { Limit = 50 })).Items.Length);

        // The counts start from the rows the file already held…
        var before = await store.MetricsAsync();
        Assert.Equal(12, before.Total);
        Assert.Equal(
            [(TaskRunStatus.Pending, 2L), (TaskRunStatus.Running, 2L), (TaskRunStatus.Success, 4L), (TaskRunStatus.Failed, 2L), (TaskRunStatus.Cancelled, 2L)],
            before.ByStatus.OrderBy(p => p.Key).Select(p => (p.Key, p.Value)));

        // …and follow every change made by the new code, old rows included.
        await store.WriteTaskAsync(pending.Value with { Record = pending.Value.Record with { Status = TaskRunStatus.Running } }, pending.ETag);
        await store.WriteTaskAsync(pending.Value with { Record = pending.Value.Record with { TaskId = Guid.NewGuid() } }, null);
        Assert.Equal(8, await store.DeleteFinishedBeforeAsync(new DateTimeOffset(2026, 11, 25, 0, 0, 0, TimeSpan.Zero)));
        var after = await store.MetricsAsync();
        Assert.Equal(5, after.Total);
        Assert.Equal(2, after.ByStatus[TaskRunStatus.Pending]);
        Assert.Equal(3, after.ByStatus[TaskRunStatus.Running]);
        Assert.False(after.ByStatus.ContainsKey(TaskRunStatus.Success));
    }

    [Fact]
    public async Task Opening_an_up_to_date_file_again_applies_nothing()
    {
        await (await OpenAsync()).DisposeAsync();
        var versions = await VersionsAsync();

        await using var again = await OpenAsync();

        Assert.Equal(versions, await VersionsAsync());
        Assert.Equal(0, (await again.MetricsAsync()).Total);
    }

    [Fact]
    public async Task A_file_from_a_newer_TaskFlow_is_refused_with_both_versions_named()
    {
        await (await OpenAsync()).DisposeAsync();
        await using (var connection = new SqliteConnection($"Data Source={_path}"))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "INSERT INTO taskflow_schema (version, applied_at) VALUES (99, 'later')";
            await command.ExecuteNonQueryAsync();
        }

        var store = new SqliteTaskStore($"Data Source={_path}", NullLogger<SqliteTaskStore>.Instance);
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => store.InitializeAsync(CancellationToken.None));

        Assert.Contains("schema version 99", ex.Message, StringComparison.Ordinal);
        Assert.Contains($"up to {SqliteSchema.Version}", ex.Message, StringComparison.Ordinal);
        Assert.Contains(_path, ex.Message, StringComparison.Ordinal);
        await store.DisposeAsync();
    }
}
