using TaskFlow.Grains;
using TaskFlow.Storage;

namespace TaskFlow.IntegrationTests.Storage;

/// <summary>What a SQL store must do beyond <see cref="TaskStoreContractTests"/>: commit in groups, survive rows it
/// cannot read, and report a database it cannot reach.</summary>
public abstract class SqlTaskStoreContractTests : TaskStoreContractTests
{
    /// <summary>Transactions the store has committed.</summary>
    protected abstract long CommitsOf(ITaskStore store);

    /// <summary>Puts a row into the store's tasks table that no version of TaskFlow can read; it must not be unfinished.</summary>
    protected abstract Task InsertUnreadableRowAsync();

    /// <summary>A store whose database cannot be reached, and the text its error must name.</summary>
    protected abstract (ITaskStore Store, string Where) CreateUnreachableStore();

    [Fact]
    public async Task Concurrent_writes_are_committed_in_groups()
    {
        var commitsBefore = CommitsOf(Store);

        await Task.WhenAll(Enumerable.Range(0, 400).Select(_ => Store.WriteTaskAsync(State(), null)));

        var commits = CommitsOf(Store) - commitsBefore;
        Assert.InRange(commits, 1, 399);
    }

    [Fact]
    public async Task A_corrupt_row_is_skipped_by_the_list_not_fatal()
    {
        await Store.WriteTaskAsync(State(), null);
        await InsertUnreadableRowAsync();

        var page = await Store.QueryAsync(new TaskQuery());

        Assert.Single(page.Items);
        Assert.Single(await Store.UnfinishedAsync(null, 10));
    }

    [Fact]
    public async Task An_unreachable_database_fails_at_initialization_with_a_clear_error()
    {
        var (store, where) = CreateUnreachableStore();
        var clock = System.Diagnostics.Stopwatch.StartNew();

        var ex = await Assert.ThrowsAsync<TaskStoreUnavailableException>(() => store.InitializeAsync(CancellationToken.None));

        Assert.Contains(where, ex.Message, StringComparison.Ordinal);
        // A store that is down is reported at once, not after the silo hangs on it.
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(10));
        if (store is IAsyncDisposable disposable) await disposable.DisposeAsync();
    }
}
