using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Faults;

/// <summary>The hosts of one run of a crash scenario: the Api to talk to, the process to SIGKILL, and everything to
/// stop afterwards.</summary>
public sealed class CrashRun(ApiHost api, HostProcess victim, params IAsyncDisposable[] others) : IAsyncDisposable
{
    public ApiHost Api { get; } = api;

    public HostProcess Victim { get; } = victim;

    public async ValueTask DisposeAsync()
    {
        await Api.DisposeAsync();
        foreach (var other in others) await other.DisposeAsync();
    }
}

/// <summary>SIGKILL the process running tasks mid-run and restart on the same store: nothing acknowledged is lost,
/// nothing that succeeded runs again (a ledger the handlers write proves it), and tasks that were running follow their
/// requeue-on-interrupt option: <c>sleep</c> ends interrupted, <c>generate_monthly_report</c> runs again.</summary>
public abstract class CrashScenario(ITestOutputHelper output) : IDisposable
{
    private const int Tasks = 2_000;
    private const int Reports = 200;

    protected TempDirectory Directory { get; } = new();

    protected string LedgerPath(string name) => Directory.File(name);

    /// <summary>Starts the hosts on the scenario's store, with the demo ledger at <paramref name="ledger"/>.</summary>
    protected abstract Task<CrashRun> StartAsync(string ledger);

    /// <summary>Every stored task and its status, read from the store directly.</summary>
    protected abstract Task<Dictionary<Guid, string>> ReadStatusesAsync();

    public void Dispose()
    {
        Directory.Dispose();
        GC.SuppressFinalize(this);
    }

    // ReadStatusesAsync leaves out scheduled tasks: the hosts run the demo schedules, and sync_exchange_rates fires on
    // every 5-minute boundary of the clock, which a run may cross; those tasks are not part of the plan.
    protected async Task RunAsync()
    {
        var random = new Random(42);
        var sleeps = new HashSet<Guid>();
        var reports = new HashSet<Guid>();

        await using (var first = await StartAsync(LedgerPath("ledger-1.txt")))
        {
            var plan = Enumerable.Range(0, Tasks).Select(i => i % (Tasks / Reports) == 0).ToList();
            await Parallel.ForEachAsync(plan, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (isReport, _) =>
            {
                int ms;
                // Reports run longer so that, at the kill, both kinds are almost surely running.
                lock (random) ms = isReport ? random.Next(200, 401) : random.Next(5, 51);
                var id = isReport
                    // Priority 0 (its registration says 1) so reports and sleeps interleave in arrival order.
                    ? await first.Api.EnqueueAsync("generate_monthly_report", new { month = 1, durationMs = ms }, priority: 0)
                    : await first.Api.EnqueueAsync("sleep", new { ms });
                var set = isReport ? reports : sleeps;
                lock (set) set.Add(id);
            });

            await Eventually.WaitAsync(first.Api.MetricsAsync, m => m.GetProperty("success").GetInt64() >= Tasks / 4,
                TimeSpan.FromSeconds(120), "a quarter of the tasks to finish");
            first.Victim.Kill();
        }

        var beforeRestart = await ReadStatusesAsync();
        var succeeded = beforeRestart.Where(p => p.Value == "success").Select(p => p.Key).ToHashSet();
        var running = beforeRestart.Where(p => p.Value == "running").Select(p => p.Key).ToHashSet();
        output.WriteLine($"at the kill: {succeeded.Count} success, {running.Count} running, " +
                         $"{beforeRestart.Values.Count(s => s == "pending")} pending, {beforeRestart.Values.Count(s => s == "retrying")} retrying");
        Assert.Equal(Tasks, beforeRestart.Count);
        Assert.NotEmpty(succeeded);
        Assert.Contains(running, reports.Contains);
        Assert.Contains(running, sleeps.Contains);
        Assert.Contains(beforeRestart.Values, s => s is "pending");

        await using (var second = await StartAsync(LedgerPath("ledger-2.txt")))
        {
            await Eventually.WaitAsync(second.Api.MetricsAsync,
                m => m.GetProperty("pending").GetInt64() + m.GetProperty("running").GetInt64() + m.GetProperty("retrying").GetInt64() == 0,
                TimeSpan.FromSeconds(180), "every task to end after the restart");
        }

        var after = await ReadStatusesAsync();
        var rerun = ReadLedger("ledger-2.txt");
        output.WriteLine($"after the restart: {rerun.Count} tasks ran, {after.Values.Count(s => s == "interrupted")} interrupted");
        Assert.Equal(sleeps.Concat(reports).ToHashSet(), after.Keys.ToHashSet());
        Assert.Empty(rerun.Intersect(succeeded));
        foreach (var id in running)
        {
            Assert.Equal(reports.Contains(id) ? "success" : "interrupted", after[id]);
            Assert.Equal(reports.Contains(id), rerun.Contains(id));
        }
        Assert.All(after.Where(p => !running.Contains(p.Key)), p => Assert.Equal("success", p.Value));
    }

    private HashSet<Guid> ReadLedger(string name)
    {
        var path = LedgerPath(name);
        return File.Exists(path)
            ? File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => Guid.Parse(l.Split(' ')[0])).ToHashSet()
            : [];
    }
}
