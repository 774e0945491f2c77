using Microsoft.Data.Sqlite;

namespace TaskFlow.IntegrationTests.Infrastructure;

/// <summary>A scratch directory for one test's hosts, databases and ledgers, removed afterwards.</summary>
public sealed class TempDirectory : IDisposable
{
    public string Path { get; } = Directory.CreateTempSubdirectory("taskflow-test-").FullName;

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>A SQLite connection string to a file in this directory.</summary>
    public string Sqlite(string name = "tasks.db") => $"Data Source={File(name)}";

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
            // Held by a child that is still exiting; the OS cleans temp.
        }
    }
}
