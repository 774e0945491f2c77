using System.Net.Sockets;
using Npgsql;

namespace TaskFlow.Storage;

/// <summary>Opening a PostgreSQL connection, with "cannot reach the database" told apart from every other failure.</summary>
internal static class PostgresConnections
{
    /// <exception cref="TaskStoreUnavailableException">The server refused, timed out, or turned the login away.</exception>
    public static async Task<NpgsqlConnection> OpenAsync(NpgsqlDataSource dataSource, CancellationToken cancellationToken)
    {
        try
        {
            return await dataSource.OpenConnectionAsync(cancellationToken);
        }
        catch (Exception ex) when (IsUnreachable(ex) && !cancellationToken.IsCancellationRequested)
        {
            throw new TaskStoreUnavailableException($"The PostgreSQL task store ({Describe(dataSource)}) cannot be reached: {ex.Message}", ex);
        }
    }

    /// <summary>True for failures of the connection itself, not of a statement.</summary>
    public static bool IsUnreachable(Exception ex) =>
        ex is NpgsqlException or SocketException or TimeoutException or IOException;

    private static string Describe(NpgsqlDataSource dataSource)
    {
        var builder = new NpgsqlConnectionStringBuilder(dataSource.ConnectionString);
        return $"{builder.Host}:{builder.Port}/{builder.Database}";
    }
}
