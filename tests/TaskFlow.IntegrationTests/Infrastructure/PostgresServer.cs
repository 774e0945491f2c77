using System.Diagnostics;
using System.Globalization;
using Npgsql;

namespace TaskFlow.IntegrationTests.Infrastructure;

/// <summary>A throwaway PostgreSQL server for the tests of one collection: initdb into a temporary directory, started
/// on a free port on 127.0.0.1 only, stopped and deleted at the end. With <c>TASKFLOW_TEST_POSTGRES</c> (a connection
/// string of a user allowed to create databases) that server is used instead. Each test gets its own database.</summary>
public sealed class PostgresServer : IAsyncLifetime
{
    public const string EnvironmentVariable = "TASKFLOW_TEST_POSTGRES";
    private const string ServiceUser = "postgres";

    private readonly List<string> _databases = [];
    private string? _directory;
    private string? _binaries;
    private string _adminConnectionString = "";
    private int _port;

    /// <summary>A connection string to the server's maintenance database.</summary>
    public string AdminConnectionString => _adminConnectionString;

    public async Task InitializeAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } external)
        {
            _adminConnectionString = external;
            return;
        }

        _binaries = FindBinaries() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin. " +
            "Run scripts/test.sh, which installs them (apt-get install -y postgresql), or set " +
            $"{EnvironmentVariable} to the connection string of a server the tests may create databases on.");
        _directory = Path.Combine(Path.GetTempPath(), $"taskflow-pg-{Guid.NewGuid():N}");
        var data = Path.Combine(_directory, "data");
        Directory.CreateDirectory(_directory);
        var port = FreePort.Next();
        if (RunningAsRoot) await RunAsync("chown", ["-R", $"{ServiceUser}:{ServiceUser}", _directory]);

        await RunAsServiceUserAsync("initdb", ["-D", data, "-U", ServiceUser, "--auth=trust", "-E", "UTF8", "--no-sync"]);
        _port = port;
        await StartServerAsync();
        _adminConnectionString = $"Host=127.0.0.1;Port={port.ToString(CultureInfo.InvariantCulture)};Username={ServiceUser};Database=postgres;Pooling=false";
    }

    /// <summary>True when this fixture runs the server itself and can stop and start it.</summary>
    public bool OwnsServer => _directory is not null;

    /// <summary>Stops the server at once, as a crash or a network cut would for its clients.</summary>
    public async Task StopServerAsync()
    {
        if (_directory is null) throw new InvalidOperationException("Only a server this fixture started can be stopped.");
        await RunAsServiceUserAsync("pg_ctl", ["-D", Path.Combine(_directory, "data"), "-m", "immediate", "-w", "stop"]);
    }

    /// <summary>Starts the server (again) on its port and data directory.</summary>
    public async Task StartServerAsync()
    {
        if (_directory is null) throw new InvalidOperationException("Only a server this fixture started can be started.");
        await RunAsServiceUserAsync("pg_ctl", ["-D", Path.Combine(_directory, "data"), "-l", Path.Combine(_directory, "server.log"), "-w", "-t", "60",
            "-o", $"-p {_port.ToString(CultureInfo.InvariantCulture)} -k /tmp -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200",
            "start"]);
    }

    /// <summary>Creates an empty database and returns a connection string to it.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"taskflow_test_{Guid.NewGuid():N}";
        await ExecuteAsync($"CREATE DATABASE {name}");
        lock (_databases) _databases.Add(name);
        return new NpgsqlConnectionStringBuilder(_adminConnectionString) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabaseAsync"/>, closing what is still connected to it.</summary>
    public async Task DropDatabaseAsync(string connectionString)
    {
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        NpgsqlConnection.ClearAllPools();
        await ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        lock (_databases) _databases.Remove(name);
    }

    public async Task DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (_directory is null)
        {
            foreach (var name in _databases.ToList()) await ExecuteAsync($"DROP DATABASE IF EXISTS {name} WITH (FORCE)");
            return;
        }
        try
        {
            await RunAsServiceUserAsync("pg_ctl", ["-D", Path.Combine(_directory, "data"), "-m", "immediate", "-w", "stop"]);
        }
        finally
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_adminConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    private static bool RunningAsRoot => Environment.UserName == "root";

    private static string? FindBinaries()
    {
        const string root = "/usr/lib/postgresql";
        if (!Directory.Exists(root)) return null;
        return Directory.GetDirectories(root)
            .Select(d => Path.Combine(d, "bin"))
            .Where(bin => File.Exists(Path.Combine(bin, "initdb")) && File.Exists(Path.Combine(bin, "pg_ctl")))
            .OrderByDescending(bin => int.TryParse(Path.GetFileName(Path.GetDirectoryName(bin)), CultureInfo.InvariantCulture, out var v) ? v : 0)
            .FirstOrDefault();
    }

    // PostgreSQL refuses to run as root, so as root the server tools run as the postgres user.
    private Task RunAsServiceUserAsync(string tool, IReadOnlyList<string> arguments)
    {
        var path = Path.Combine(_binaries!, tool);
        return RunningAsRoot ? RunAsync("runuser", ["-u", ServiceUser, "--", path, .. arguments]) : RunAsync(path, arguments);
    }

    private static async Task RunAsync(string file, IReadOnlyList<string> arguments)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {file}.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromMinutes(2));
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}:\n{await output}\n{await error}");
    }
}

/// <summary>Tests that share one throwaway PostgreSQL server (they run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
