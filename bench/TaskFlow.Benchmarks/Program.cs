using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskFlow;
using TaskFlow.Benchmarks;
using TaskFlow.Grains;
using TaskFlow.Hosting;
using TaskFlow.Storage;

// Throughput of no-op tasks through TaskFlow (enqueue → store → dispatch → run → store) beside the rate of a bare
// grain-call loop in the same process, on the same silo, in the same run: the ratio is the figure that travels.
// Usage: dotnet run -c Release --project bench/TaskFlow.Benchmarks -- [tasks=5000] [provider=Memory|Sqlite] [concurrency=64] [telemetry-rounds=0]
//        (telemetry-rounds > 0: then as many rounds without and with TaskFlow's telemetry listened to, alternating)
//        dotnet run -c Release --project bench/TaskFlow.Benchmarks -- latency [provider=Memory] [samples=200] [concurrency=10]
//        (one task at a time on an idle silo: clock read right before EnqueueAsync → the handler's first line)
//        dotnet run -c Release --project bench/TaskFlow.Benchmarks -- schedules [count=100] [seconds=60]
//        dotnet run -c Release --project bench/TaskFlow.Benchmarks -- slotqueue [tasks=1000000] [concurrency=64] [waiting=100000]
//        dotnet run -c Release --project bench/TaskFlow.Benchmarks -- history <postgres connection string> [rows=10000000] [queries=200] [pending=0]
if (args.Length > 1 && args[0] == "history")
{
    await HistoryBenchmark.RunAsync(args[1],
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 10_000_000,
        args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 200,
        args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 0);
    return;
}
if (args.Length > 0 && args[0] == "slotqueue")
{
    SlotQueueBenchmark.Run(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1_000_000,
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 64,
        args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 100_000);
    return;
}
if (args.Length > 0 && args[0] == "schedules")
{
    await ScheduleBenchmark.RunAsync(
        args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 100,
        args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 60);
    return;
}

var latencyMode = args.Length > 0 && args[0] == "latency";
if (latencyMode) args = [args.Length > 2 ? args[2] : "200", args.Length > 1 ? args[1] : "Memory", args.Length > 3 ? args[3] : "10"];
var tasks = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5_000;
var provider = args.Length > 1 ? args[1] : "Memory";
var concurrency = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 64;
var telemetryRounds = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 0;
var directory = Directory.CreateTempSubdirectory("taskflow-bench-").FullName;

var builder = Host.CreateApplicationBuilder();
builder.Logging.SetMinimumLevel(LogLevel.Warning);
builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
{
    ["TaskFlow:MaxConcurrency"] = concurrency.ToString(CultureInfo.InvariantCulture),
    ["TaskFlow:Storage:Provider"] = provider,
    ["TaskFlow:Storage:ConnectionString"] = provider == "Postgres"
        ? Environment.GetEnvironmentVariable("TASKFLOW_BENCH_POSTGRES") ?? throw new InvalidOperationException("Set TASKFLOW_BENCH_POSTGRES.")
        : $"Data Source={Path.Combine(directory, "bench.db")}",
});
var messages = new MessageCounter();
builder.UseOrleans(silo => silo
    .UseLocalhostClustering(siloPort: 21111, gatewayPort: 31000, serviceId: "bench-" + Guid.NewGuid().ToString("N"))
    .AddIncomingGrainCallFilter(messages)
    .AddTaskFlow(builder.Configuration, tf => tf.AddSqliteStorage().AddPostgreSqlStorage()
        .AddTask<NoOpHandler>("noop").AddTask<LatencyProbeHandler>("latency-probe")));
using var host = builder.Build();
await host.StartAsync();

var grains = host.Services.GetRequiredService<IGrainFactory>();
var queue = host.Services.GetRequiredService<ITaskQueue>();
if (latencyMode)
{
    // Warm the path, then one probe at a time with a pause between, so the system is idle when each is enqueued.
    await RunTasksAsync(queue, 200, concurrency);
    var latencies = new List<double>();
    for (var i = -20; i < tasks; i++)
    {
        await Task.Delay(20);
        LatencyProbeHandler.Reset();
        var enqueuedAt = Stopwatch.GetTimestamp();
        await queue.EnqueueAsync(new LatencyProbe(enqueuedAt));
        var ms = await LatencyProbeHandler.Ran;
        if (i >= 0) latencies.Add(ms);
    }
    latencies.Sort();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"latency provider={provider} samples={latencies.Count} p50_ms={latencies[latencies.Count / 2]:0.00} p95_ms={latencies[(int)(latencies.Count * 0.95)]:0.00} max_ms={latencies[^1]:0.00}"));
    await host.StopAsync();
    Directory.Delete(directory, recursive: true);
    return;
}

Console.WriteLine($"TaskFlow dispatch benchmark: {tasks} no-op tasks, provider {provider}, MaxConcurrency {concurrency}, {Environment.ProcessorCount} cores");

// Warm both paths so neither pays first-activation and JIT costs inside the measurement.
await RunBareCallsAsync(grains, 2_000, concurrency);
await RunTasksAsync(queue, 200, concurrency);

// CPU time of this process per call and per task: on a machine shared with other work, throughput moves with the
// neighbours' load, while the CPU a task costs this process moves much less.
var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
var bare = await RunBareCallsAsync(grains, tasks * 4, concurrency);
var bareCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
Console.WriteLine($"bare grain calls:      {bare,10:N0} calls/s  ({concurrency} callers; {bareCpu.TotalMicroseconds / (tasks * 4):0.0} µs CPU per call)");

var commitsBefore = CommitsOf(host.Services.GetRequiredService<ITaskStore>());
var pgCommitsBefore = provider == "Postgres" ? await PgStatCommitsAsync() : 0;
cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
messages.Reset();
var (tasksPerSecond, handlerSeconds) = await RunTasksAsync(queue, tasks, concurrency);
var taskCpu = Process.GetCurrentProcess().TotalProcessorTime - cpuBefore;
var busiest = messages.Busiest(3);
var (hotGrain, hotMessages) = busiest.FirstOrDefault(("none", 0));
var commitsAfter = CommitsOf(host.Services.GetRequiredService<ITaskStore>());
if (provider == "Postgres")
    Console.WriteLine($"pg_stat_database commits: {(double)(await PgStatCommitsAsync() - pgCommitsBefore) / tasks:0.000} per task (xact_commit of the database before and after the run)");
Console.WriteLine($"no-op tasks end to end:{tasksPerSecond,10:N0} tasks/s  (enqueue to stored success; handlers all ran in {handlerSeconds:0.00} s; {taskCpu.TotalMicroseconds / tasks:0} µs CPU per task in this process)");
Console.WriteLine($"ratio tasks/calls:     {tasksPerSecond / bare,10:0.000}  (each task is ~8 grain calls and 3 state writes)");
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"hot_grain_messages_per_task={(double)hotMessages / tasks:0.00} (busiest activation: {hotGrain}, {hotMessages:N0} messages, including the run's reads)"));
Console.WriteLine("busiest activations: " + string.Join(", ", busiest.Select(b => string.Create(CultureInfo.InvariantCulture, $"{b.Grain} {(double)b.Messages / tasks:0.00}/task"))));
if (commitsBefore is { } before && commitsAfter is { } after)
    Console.WriteLine($"{provider.ToLowerInvariant()} commits:  {after - before,10:N0} for {tasks} tasks = {(double)(after - before) / tasks:0.000} commits/task (3 writes/task, group commit)");

if (telemetryRounds > 0)
{
    // The same no-op run, alternately with nobody listening and with the OpenTelemetry SDK sampling every span and
    // aggregating every instrument: the ratio of the medians is the cost of telemetry.
    // CPU per task moves less than throughput with a busy neighbour on the machine; both are printed.
    var off = new List<double>();
    var on = new List<double>();
    var offCpu = new List<double>();
    var onCpu = new List<double>();
    long spans = 0;
    for (var round = 0; round < telemetryRounds; round++)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        off.Add((await RunTasksAsync(queue, tasks, concurrency)).TasksPerSecond);
        offCpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / tasks);
        using var listening = new TelemetryListening();
        cpu = Process.GetCurrentProcess().TotalProcessorTime;
        on.Add((await RunTasksAsync(queue, tasks, concurrency)).TasksPerSecond);
        onCpu.Add((Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMicroseconds / tasks);
        spans += listening.Spans;
    }
    static double Median(List<double> xs) => xs.Order().ElementAt(xs.Count / 2);
    static string All(List<double> xs) => string.Join(", ", xs.Select(x => x.ToString("N0", CultureInfo.InvariantCulture)));
    Console.WriteLine($"telemetry off:         {Median(off),10:N0} tasks/s, {Median(offCpu):0} µs CPU per task  (medians of {telemetryRounds}: {All(off)} tasks/s; {All(offCpu)} µs)");
    Console.WriteLine($"telemetry listened to: {Median(on),10:N0} tasks/s, {Median(onCpu):0} µs CPU per task  (medians of {telemetryRounds}: {All(on)} tasks/s; {All(onCpu)} µs; {spans:N0} spans)");
    Console.WriteLine($"ratio telemetry_on_vs_off={Median(on) / Median(off):0.000}");
    Console.WriteLine($"ratio telemetry_cpu_on_vs_off={Median(onCpu) / Median(offCpu):0.000}");
}

await host.StopAsync();
Directory.Delete(directory, recursive: true);

// Backends report their counters when they go idle, at most once a second: wait that out, read a fresh snapshot.
static async Task<long> PgStatCommitsAsync()
{
    await Task.Delay(1_500);
    await using var connection = new Npgsql.NpgsqlConnection(Environment.GetEnvironmentVariable("TASKFLOW_BENCH_POSTGRES"));
    await connection.OpenAsync();
    await using var command = new Npgsql.NpgsqlCommand(
        "SELECT pg_stat_clear_snapshot(); SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()", connection);
    await using var reader = await command.ExecuteReaderAsync();
    await reader.NextResultAsync();
    await reader.ReadAsync();
    return reader.GetInt64(0);
}

static long? CommitsOf(ITaskStore store) => store switch
{
    SqliteTaskStore sqlite => sqlite.Commits,
    PostgresTaskStore postgres => postgres.Commits,
    _ => null,
};

static async Task<double> RunBareCallsAsync(IGrainFactory grains, int calls, int callers)
{
    var remaining = calls;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, callers).Select(async c =>
    {
        var grain = grains.GetGrain<IPingGrain>(c);
        while (Interlocked.Decrement(ref remaining) >= 0) await grain.Ping();
    }));
    return calls / clock.Elapsed.TotalSeconds;
}

static async Task<(double TasksPerSecond, double HandlerSeconds)> RunTasksAsync(ITaskQueue queue, int count, int callers)
{
    NoOpHandler.Reset(count);
    var ids = new Guid[count];
    var next = -1;
    var clock = Stopwatch.StartNew();
    await Task.WhenAll(Enumerable.Range(0, callers).Select(async _ =>
    {
        int i;
        while ((i = Interlocked.Increment(ref next)) < count) ids[i] = await queue.EnqueueAsync(new NoOp());
    }));
    await NoOpHandler.AllRan;
    var handlerSeconds = clock.Elapsed.TotalSeconds;
    // End to end means the success is stored: read every record back.
    foreach (var chunk in ids.Chunk(256))
    {
        while (true)
        {
            var records = await Task.WhenAll(chunk.Select(id => queue.GetAsync(id)));
            if (records.All(r => r!.Status == TaskRunStatus.Success)) break;
            await Task.Delay(5);
        }
    }
    return (count / clock.Elapsed.TotalSeconds, handlerSeconds);
}
