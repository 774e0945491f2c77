using Microsoft.Extensions.Options;
using Npgsql;

namespace TaskFlow.Hosting;

/// <summary>The one PostgreSQL database of a TaskFlow cluster: the data source the task store and the schema scripts
/// use, and the connection string Orleans' ADO.NET clustering, reminders and grain storage open their own connections
/// with (they take no data source). The data source is the application's (<c>AddPostgreSqlStorage(sp =&gt; …)</c>, as
/// Aspire registers one) or TaskFlow's own, made from <c>TaskFlow:Storage:ConnectionString</c>.</summary>
internal sealed class PostgresDatabase : IAsyncDisposable
{
    private readonly bool _owned;

    public PostgresDatabase(IOptions<TaskFlowOptions> options, NpgsqlDataSource? borrowed)
    {
        var configured = options.Value.Storage.ConnectionString;
        if (borrowed is not null)
        {
            DataSource = borrowed;
            // Npgsql leaves the password out of a data source's connection string (unless Persist Security Info is
            // set); a connection string in the configuration keeps it for Orleans' parts.
            ConnectionString = IsSet(configured) ? configured : borrowed.ConnectionString;
            return;
        }
        // The same few statements run for every task: let Npgsql prepare them, so the server plans each once per
        // connection instead of once per write (unless the connection string says otherwise).
        var builder = new NpgsqlConnectionStringBuilder(configured);
        if (!configured.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase)) builder.MaxAutoPrepare = 32;
        DataSource = NpgsqlDataSource.Create(builder.ConnectionString);
        ConnectionString = configured;
        _owned = true;
    }

    public NpgsqlDataSource DataSource { get; }

    public string ConnectionString { get; }

    /// <summary>Not the SQLite default left in place: a connection string meant for PostgreSQL.</summary>
    public static bool IsSet(string? connectionString) =>
        !string.IsNullOrWhiteSpace(connectionString) && connectionString != new TaskFlowStorageOptions().ConnectionString;

    public async ValueTask DisposeAsync()
    {
        if (_owned) await DataSource.DisposeAsync();
    }
}
