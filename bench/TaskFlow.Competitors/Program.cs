using System.Diagnostics;
using System.Globalization;
using Hangfire;
using Hangfire.InMemory;
using Hangfire.PostgreSql;
using Hangfire.PostgreSql.Factories;
using Npgsql;
using Quartz;
using TaskFlow.Competitors;

// The same no-op workload as bench/TaskFlow.Benchmarks, through Hangfire and Quartz.NET, with the same worker count.
// Usage: dotnet TaskFlow.Competitors.dll <system> <jobs> <workers> [latency-samples=100] [postgres connection string]
//   system: hangfire-memory | hangfire-postgres | quartz-ram | quartz-postgres
// Prints one line per measurement, in the "key=value" form bench/run.sh reads:
//   result system=… store=… jobs=… jobs_per_s=… cpu_us_per_job=… commits_per_job=… latency_p50_ms=…
// Throughput: every job scheduled by `workers` concurrent callers; the clock stops when every handler has run AND
// the store has recorded every job as finished (Hangfire: the succeeded count; Quartz: no job left in the store).
// CPU per job: this process's TotalProcessorTime over the measured run ÷ jobs (the database server's CPU is not in it).
// Commits per job: pg_stat_database.xact_commit of the database, before and after, ÷ jobs.
// Latency: one job at a time on an idle system; the clock is read right before the enqueue/schedule call and again
// on the handler's first line (same process, Stopwatch ticks passed as the job's argument).
var system = args.Length > 0 ? args[0] : "quartz-ram";
var jobs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 10_000;
var workers = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10;
var latencySamples = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 100;
var connectionString = args.Length > 4 ? args[4] : Environment.GetEnvironmentVariable("TASKFLOW_BENCH_POSTGRES");

IRunner runner = system switch
{
    "hangfire-memory" => new HangfireRunner(new InMemoryStorage(), workers),
    "hangfire-postgres" => HangfireRunner.OnPostgres(Required(connectionString), workers),
    "quartz-ram" => await QuartzRunner.StartAsync(null, workers),
    "quartz-postgres" => await QuartzRunner.StartAsync(Required(connectionString), workers),
    _ => throw new ArgumentException($"Unknown system {system}."),
};
var durable = system.EndsWith("-postgres", StringComparison.Ordinal);

// Warm-up: JIT, pools, first queries.
await RunAsync(runner, Math.Min(200, jobs), workers);

var commitsBefore = durable ? await CommitsAsync(connectionString!) : 0;
var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
var clock = Stopwatch.StartNew();
await RunAsync(runner, jobs, workers);
var seconds = clock.Elapsed.TotalSeconds;
var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
var commitsAfter = durable ? await CommitsAsync(connectionString!) : 0;

// Latency on an idle system: one job at a time, a pause between.
var latencies = new List<double>();
for (var i = 0; i < latencySamples; i++)
{
    await Task.Delay(20);
    Probe.Reset(1);
    await runner.EnqueueAsync(Stopwatch.GetTimestamp());
    await Probe.AllRan;
    latencies.Add(Probe.LastLatencyMs);
}
await runner.WaitAllFinishedAsync();
latencies.Sort();
var p50 = latencies.Count > 0 ? latencies[latencies.Count / 2] : double.NaN;
var p95 = latencies.Count > 0 ? latencies[(int)(latencies.Count * 0.95)] : double.NaN;

await runner.DisposeAsync();

var (name, store) = system switch
{
    "hangfire-memory" => ("Hangfire 1.8.25", "Hangfire.InMemory 1.0.0"),
    "hangfire-postgres" => ("Hangfire 1.8.25", "Hangfire.PostgreSql 1.21.1"),
    "quartz-ram" => ("Quartz.NET 4.7.3", "RAMJobStore"),
    _ => ("Quartz.NET 4.7.3", "ADO JobStoreTX, PostgreSQL"),
};
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"result system=\"{name}\" store=\"{store}\" jobs={jobs} workers={workers} jobs_per_s={jobs / seconds:0} cpu_us_per_job={cpu.TotalMicroseconds / jobs:0} " +
    $"commits_per_job={(durable ? ((commitsAfter - commitsBefore) / (double)jobs).ToString("0.00", CultureInfo.InvariantCulture) : "-")} " +
    $"latency_p50_ms={p50:0.00} latency_p95_ms={p95:0.00} latency_samples={latencies.Count}"));
return;

static string Required(string? connectionString) =>
    connectionString ?? throw new InvalidOperationException("Pass a PostgreSQL connection string or set TASKFLOW_BENCH_POSTGRES.");

static async Task RunAsync(IRunner runner, int count, int callers)
{
    Probe.Reset(count);
    var next = -1;
    await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
    {
        while (Interlocked.Increment(ref next) < count) await runner.EnqueueAsync(Stopwatch.GetTimestamp());
    }));
    await Probe.AllRan;
    await runner.WaitAllFinishedAsync();
}

// Backends report their counters to the statistics system when they go idle, at most once a second: wait that out,
// so the figure holds the commits of the run, and read a fresh snapshot.
static async Task<long> CommitsAsync(string connectionString)
{
    await Task.Delay(1_500);
    await using var connection = new NpgsqlConnection(connectionString);
    await connection.OpenAsync();
    await using var command = new NpgsqlCommand(
        "SELECT pg_stat_clear_snapshot(); SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()", connection);
    await using var reader = await command.ExecuteReaderAsync();
    await reader.NextResultAsync();
    await reader.ReadAsync();
    return reader.GetInt64(0);
}

namespace TaskFlow.Competitors
{
    /// <summary>Counts handler runs and records the latency of the last one.</summary>
    public static class Probe
    {
        private static int _remaining;
        private static TaskCompletionSource _allRan = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public static Task AllRan => _allRan.Task;
        public static double LastLatencyMs { get; private set; }

        public static void Reset(int expected)
        {
            _allRan = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _remaining, expected);
        }

        /// <summary>The handler's first line: the clock is read here.</summary>
        public static void Ran(long enqueuedAt)
        {
            var now = Stopwatch.GetTimestamp();
            LastLatencyMs = Stopwatch.GetElapsedTime(enqueuedAt, now).TotalMilliseconds;
            if (Interlocked.Decrement(ref _remaining) == 0) _allRan.TrySetResult();
        }
    }

    internal interface IRunner : IAsyncDisposable
    {
        Task EnqueueAsync(long enqueuedAt);

        /// <summary>Returns when the store holds no job that has not finished.</summary>
        Task WaitAllFinishedAsync();
    }

    /// <summary>The Hangfire job: a static no-op method.</summary>
    public static class HangfireNoOp
    {
        public static void Run(long enqueuedAt) => Probe.Ran(enqueuedAt);
    }

    internal sealed class HangfireRunner : IRunner
    {
        private readonly JobStorage _storage;
        private readonly BackgroundJobClient _client;
        private readonly BackgroundJobServer _server;
        private long _enqueued;

        public HangfireRunner(JobStorage storage, int workers)
        {
            _storage = storage;
            _client = new BackgroundJobClient(storage);
            _server = new BackgroundJobServer(new BackgroundJobServerOptions { WorkerCount = workers }, storage);
        }

        public static HangfireRunner OnPostgres(string connectionString, int workers)
        {
            // Defaults of Hangfire.PostgreSql (it creates its schema; a worker is woken in-process when a job is enqueued
            // in the same process, else it polls).
            var options = new PostgreSqlStorageOptions { PrepareSchemaIfNecessary = true };
            return new HangfireRunner(new PostgreSqlStorage(new NpgsqlConnectionFactory(connectionString, options), options), workers);
        }

        public Task EnqueueAsync(long enqueuedAt)
        {
            _client.Enqueue(() => HangfireNoOp.Run(enqueuedAt));
            Interlocked.Increment(ref _enqueued);
            return Task.CompletedTask;
        }

        public async Task WaitAllFinishedAsync()
        {
            var monitoring = _storage.GetMonitoringApi();
            while (monitoring.SucceededListCount() < Interlocked.Read(ref _enqueued)) await Task.Delay(10);
        }

        public ValueTask DisposeAsync()
        {
            _server.SendStop();
            _server.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>The Quartz job: reads the clock passed in its data.</summary>
    public sealed class QuartzNoOp : IJob
    {
        public ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        {
            Probe.Ran(context.MergedJobDataMap.GetLong("t"));
            return ValueTask.CompletedTask;
        }
    }

    internal sealed class QuartzRunner : IRunner
    {
        private readonly IScheduler _scheduler;

        private QuartzRunner(IScheduler scheduler) => _scheduler = scheduler;

        public static async Task<QuartzRunner> StartAsync(string? connectionString, int workers)
        {
            // Defaults but for the worker count and, on PostgreSQL, the store (Quartz creates its tables if missing).
            var scheduler = await QuartzSchedulerBuilder
                .Create(q =>
                {
                    q.ConfigureScheduler(options => options.InstanceName = "bench");
                    q.UseDefaultThreadPool(maxConcurrency: workers);
                    if (connectionString is null) q.UseInMemoryStore();
                    else q.UsePersistentStore(store =>
                    {
                        store.UsePostgres(connectionString);
                        store.ProvisionSchema();
                    });
                })
                .BuildScheduler();
            await scheduler.Start();
            return new QuartzRunner(scheduler);
        }

        public async Task EnqueueAsync(long enqueuedAt)
        {
            var job = JobBuilder.Create<QuartzNoOp>().WithIdentity(Guid.NewGuid().ToString("N")).UsingJobData("t", enqueuedAt).Build();
            await _scheduler.ScheduleJob(job, TriggerBuilder.Create().StartNow().Build());
        }

        public async Task WaitAllFinishedAsync()
        {
            // A job without a durable flag is deleted with its last trigger: none left means every one has finished.
            while ((await _scheduler.GetJobKeys(GroupMatcher<JobKey>.AnyGroup())).Count > 0) await Task.Delay(10);
        }

        public async ValueTask DisposeAsync() => await _scheduler.Shutdown(waitForJobsToComplete: true);
    }
}
