using Npgsql;

namespace TaskFlow.IntegrationTests.Infrastructure;

/// <summary>Runs SQL against a test database and returns its rows, for assertions about what is stored.</summary>
public static class PostgresRows
{
    public static async Task<List<object[]>> QueryAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object[]>();
        while (await reader.ReadAsync())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }
        return rows;
    }
}
