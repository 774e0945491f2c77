using TaskFlow.Storage;

namespace TaskFlow.IntegrationTests.Storage;

/// <summary>The store contract on the in-process store that tests and trials run on.</summary>
public sealed class MemoryTaskStoreTests : TaskStoreContractTests
{
    protected override async Task<ITaskStore> CreateStoreAsync()
    {
        var store = new MemoryTaskStore();
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    protected override Task DeleteDatabaseAsync() => Task.CompletedTask;
}
