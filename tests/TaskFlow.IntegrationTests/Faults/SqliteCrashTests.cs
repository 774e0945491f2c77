using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Faults;

/// <summary>SIGKILL the embedded host mid-run and restart it on the same SQLite file: nothing acknowledged is lost,
/// nothing that succeeded runs again, and tasks that were running follow their requeue-on-interrupt option.</summary>
public sealed class SqliteCrashTests(ITestOutputHelper output) : IDisposable
{
    private const int Tasks = 2_000;
    private const int Reports = 200;
    private readonly string _directory = Directory.CreateTempSubdirectory("taskflow-crash-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // A file still held open by a dying child process; the temp folder is cleaned by the OS.
        }
    }

    private Dictionary<string, string> Settings(string ledger) => new()
    {
        ["TaskFlow__Storage__Provider"] = "Sqlite",
        ["TaskFlow__Storage__ConnectionString"] = $"Data Source={Path.Combine(_directory, "tasks.db")}",
        ["TaskFlow__MaxConcurrency"] = "10",
        ["TaskFlow__Demo__LedgerPath"] = Path.Combine(_directory, ledger),
        ["Logging__LogLevel__Default"] = "Warning",
    };

    [Fact]
    public async Task A_hard_kill_mid_run_loses_nothing_and_reruns_nothing_that_succeeded()
    {
        var random = new Random(42);
        var sleeps = new HashSet<Guid>();
        var reports = new HashSet<Guid>();

        await using (var first = await ApiHost.StartAsync(Settings("ledger-1.txt")))
        {
            var plan = Enumerable.Range(0, Tasks).Select(i => i % (Tasks / Reports) == 0).ToList();
            await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (isReport, _) =>
            {
                int ms;
                lock (random) ms = random.Next(5, 51);
                if (isReport)
                {
                    var id = await first.EnqueueAsync("generate_monthly_report", new { month = 1, durationMs = ms });
                    lock (reports) reports.Add(id);
                }
                else
                {
                    var id = await first.EnqueueAsync("sleep", new { ms });
                    lock (sleeps) sleeps.Add(id);
                }
            });

            // Kill once a good part has finished and work is in flight.
            await Eventually.WaitAsync(first.MetricsAsync, m => m.GetProperty("success").GetInt64() >= Tasks / 4,
                TimeSpan.FromSeconds(120), "a quarter of the tasks to finish");
            first.Process.Kill();
        }

        var beforeRestart = ReadStatuses();
        Assert.Equal(Tasks, beforeRestart.Count);
        var succeeded = beforeRestart.Where(p => p.Value == "success").Select(p => p.Key).ToHashSet();
        var running = beforeRestart.Where(p => p.Value == "running").Select(p => p.Key).ToHashSet();
        output.WriteLine($"at the kill: {succeeded.Count} success, {running.Count} running, " +
                         $"{beforeRestart.Values.Count(s => s == "pending")} pending, {beforeRestart.Values.Count(s => s == "retrying")} retrying");
        Assert.NotEmpty(succeeded);
        Assert.NotEmpty(running);
        Assert.Contains(beforeRestart.Values, s => s is "pending");

        await using (var second = await ApiHost.StartAsync(Settings("ledger-2.txt")))
        {
            await Eventually.WaitAsync(second.MetricsAsync,
                m => m.GetProperty("pending").GetInt64() + m.GetProperty("running").GetInt64() + m.GetProperty("retrying").GetInt64() == 0,
                TimeSpan.FromSeconds(180), "every task to end after the restart");
        }

        var after = ReadStatuses();
        Assert.Equal(Tasks, after.Count);
        Assert.Equal(sleeps.Concat(reports).ToHashSet(), after.Keys.ToHashSet());
        Assert.All(after, p => Assert.Contains(p.Value, new[] { "success", "interrupted" }));

        var rerun = ReadLedger("ledger-2.txt");
        output.WriteLine($"after the restart: {rerun.Count} tasks ran, {after.Values.Count(s => s == "interrupted")} interrupted");
        Assert.Empty(rerun.Intersect(succeeded));
        foreach (var id in running)
        {
            // sleep does not requeue on interrupt; generate_monthly_report does, and runs again.
            Assert.Equal(reports.Contains(id) ? "success" : "interrupted", after[id]);
            Assert.Equal(reports.Contains(id), rerun.Contains(id));
        }
        Assert.All(after.Where(p => !running.Contains(p.Key)), p => Assert.Equal("success", p.Value));
    }

    private Dictionary<Guid, string> ReadStatuses()
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "tasks.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT task_id, status FROM tasks";
        using var reader = command.ExecuteReader();
        var statuses = new Dictionary<Guid, string>();
        while (reader.Read()) statuses[Guid.Parse(reader.GetString(0))] = reader.GetString(1);
        return statuses;
    }

    private HashSet<Guid> ReadLedger(string name)
    {
        var path = Path.Combine(_directory, name);
        return File.Exists(path)
            ? File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => Guid.Parse(l.Split(' ')[0])).ToHashSet()
            : [];
    }
}
