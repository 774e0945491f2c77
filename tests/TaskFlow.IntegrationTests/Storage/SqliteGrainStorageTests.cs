using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Storage;
using TaskFlow.Storage;

namespace TaskFlow.IntegrationTests.Storage;

/// <summary>The grain storage contract on SQLite: TaskFlow's own grain storage over the task store's file.</summary>
public sealed class SqliteGrainStorageTests : GrainStorageContractTests
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"taskflow-grains-{Guid.NewGuid():N}.db");
    private SqliteTaskStore? _store;

    protected override async Task<IGrainStorage> CreateStorageAsync()
    {
        _store = new SqliteTaskStore($"Data Source={_path}", NullLogger<SqliteTaskStore>.Instance);
        await _store.InitializeAsync(CancellationToken.None);
        return new TaskFlowGrainStorage(_store);
    }

    protected override async Task DeleteDatabaseAsync()
    {
        if (_store is not null) await _store.DisposeAsync();
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" }) File.Delete(file);
    }
}
