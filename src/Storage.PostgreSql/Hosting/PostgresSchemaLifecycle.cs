using Microsoft.Extensions.Logging;
using Npgsql;
using TaskFlow.Storage;

namespace TaskFlow.Hosting;

/// <summary>Applies the PostgreSQL schema at the very start of a silo: membership and reminders read their statements
/// from the database long before the task store's own start (application services), so the tables must exist first.</summary>
internal sealed class PostgresSchemaLifecycle(NpgsqlDataSource dataSource, ILogger<PostgresSchemaLifecycle> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(PostgresSchemaLifecycle), ServiceLifecycleStage.First, ApplyAsync, _ => Task.CompletedTask);

    private async Task ApplyAsync(CancellationToken cancellationToken)
    {
        try
        {
            await PostgresSchemaMigrator.ApplyAsync(dataSource, logger, cancellationToken);
        }
        catch (Exception ex)
        {
            Log.StoreInitializeFailed(logger, ex);
            throw;
        }
    }
}
