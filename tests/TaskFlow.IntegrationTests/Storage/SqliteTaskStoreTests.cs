using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using TaskFlow.Storage;

namespace TaskFlow.IntegrationTests.Storage;

/// <summary>The store contract on a SQLite file per test.</summary>
public sealed class SqliteTaskStoreTests : SqlTaskStoreContractTests
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"taskflow-store-{Guid.NewGuid():N}.db");

    protected override async Task<ITaskStore> CreateStoreAsync()
    {
        var store = new SqliteTaskStore($"Data Source={_path}", NullLogger<SqliteTaskStore>.Instance);
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    protected override long CommitsOf(ITaskStore store) => ((SqliteTaskStore)store).Commits;

    protected override async Task InsertUnreadableRowAsync()
    {
        await using var connection = new SqliteConnection($"Data Source={_path}");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO tasks (task_id, name, status, priority, source, created_at, attempts, etag, state)
            VALUES ('not-a-guid', 'x', 'pending', 0, 'api', 0, 0, 1, '{ this is not json')
            """;
        await command.ExecuteNonQueryAsync();
    }

    protected override (ITaskStore Store, string Where) CreateUnreachableStore() =>
        (new SqliteTaskStore("Data Source=/nonexistent-dir/tasks.db", NullLogger<SqliteTaskStore>.Instance), "/nonexistent-dir/tasks.db");

    protected override Task DeleteDatabaseAsync()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" }) File.Delete(file);
        return Task.CompletedTask;
    }
}
