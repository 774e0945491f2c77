using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace TaskFlow.Storage;

/// <summary>Applies TaskFlow's PostgreSQL scripts (<c>deploy/sql/postgresql/**/NNN_*.sql</c>, embedded in this
/// assembly) in version order, each once, recording them in <c>taskflow.schema_migrations</c>. All of it runs in one
/// transaction under an advisory lock, so silos starting together apply a version once and never see half of it.</summary>
public static class PostgresSchemaMigrator
{
    private const string ResourcePrefix = "taskflow/postgresql/";

    // Any constant the deployment's other users of advisory locks are unlikely to pick ("TaskFlow" in ASCII).
    private const long LockKey = 0x5461736B466C6F77;

    /// <summary>Every embedded script, in the order it is applied.</summary>
    public static IReadOnlyList<SchemaScript> Scripts { get; } = LoadScripts();

    /// <summary>Applies the scripts the database lacks; returns their names (empty when it was up to date).</summary>
    /// <exception cref="TaskStoreUnavailableException">The database cannot be reached.</exception>
    /// <exception cref="InvalidOperationException">A newer TaskFlow has upgraded the database past these scripts.</exception>
    public static async Task<IReadOnlyList<string>> ApplyAsync(NpgsqlDataSource dataSource, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        ArgumentNullException.ThrowIfNull(logger);
        await using var connection = await PostgresConnections.OpenAsync(dataSource, cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await ExecuteAsync(connection, $"SELECT pg_advisory_xact_lock({LockKey.ToString(CultureInfo.InvariantCulture)})", cancellationToken);
        await ExecuteAsync(connection, """
            CREATE SCHEMA IF NOT EXISTS taskflow;
            CREATE TABLE IF NOT EXISTS taskflow.schema_migrations (
                version    integer     NOT NULL PRIMARY KEY,
                name       text        NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            );
            """, cancellationToken);

        var applied = new HashSet<int>();
        await using (var command = new NpgsqlCommand("SELECT version FROM taskflow.schema_migrations", connection))
        await using (var reader = await command.ExecuteReaderAsync(cancellationToken))
        {
            while (await reader.ReadAsync(cancellationToken)) applied.Add(reader.GetInt32(0));
        }

        var newest = Scripts[^1].Version;
        if (applied.Count > 0 && applied.Max() > newest)
        {
            throw new InvalidOperationException(
                $"The PostgreSQL database has TaskFlow schema version {applied.Max()}, applied by a newer TaskFlow; this version " +
                $"knows schema versions up to {newest}. Run the newer TaskFlow, or point TaskFlow:Storage at another database.");
        }

        var done = new List<string>();
        foreach (var script in Scripts.Where(s => !applied.Contains(s.Version)))
        {
            await ExecuteAsync(connection, script.Sql, cancellationToken);
            await using var record = new NpgsqlCommand("INSERT INTO taskflow.schema_migrations (version, name) VALUES ($1, $2)", connection);
            record.Parameters.Add(new NpgsqlParameter<int> { TypedValue = script.Version });
            record.Parameters.Add(new NpgsqlParameter<string> { TypedValue = script.Name });
            await record.ExecuteNonQueryAsync(cancellationToken);
            Log.SchemaScriptApplied(logger, script.Version, script.Name);
            done.Add(script.Name);
        }
        await transaction.CommitAsync(cancellationToken);
        return done;
    }

    /// <summary>Applies the scripts over a connection string (the <c>--migrate-only</c> command).</summary>
    public static async Task<IReadOnlyList<string>> ApplyAsync(string connectionString, ILogger logger, CancellationToken cancellationToken)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        return await ApplyAsync(dataSource, logger, cancellationToken);
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static List<SchemaScript> LoadScripts()
    {
        var assembly = typeof(PostgresSchemaMigrator).Assembly;
        var scripts = new List<SchemaScript>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal)))
        {
            var name = resource[ResourcePrefix.Length..];
            var file = name[(name.LastIndexOf('/') + 1)..];
            var digits = new string(file.TakeWhile(char.IsAsciiDigit).ToArray());
            if (digits.Length == 0 || !int.TryParse(digits, CultureInfo.InvariantCulture, out var version))
                throw new InvalidOperationException($"The schema script '{name}' does not start with its version number (NNN_name.sql).");
            scripts.Add(new SchemaScript(version, name, Read(assembly, resource)));
        }
        var duplicate = scripts.GroupBy(s => s.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
            throw new InvalidOperationException($"Schema scripts {string.Join(", ", duplicate.Select(s => s.Name))} share version {duplicate.Key}.");
        return [.. scripts.OrderBy(s => s.Version)];
    }

    private static string Read(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}

/// <summary>One versioned schema script: <paramref name="Name"/> is its path under <c>deploy/sql/postgresql/</c>.</summary>
public sealed record SchemaScript(int Version, string Name, string Sql);
