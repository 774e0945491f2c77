using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using TaskFlow.Grains;
using TaskFlow.Hosting;
using TaskFlow.Storage;
using TaskFlow.Tasks;

namespace TaskFlow.Benchmarks;

/// <summary>Seeds the PostgreSQL history with N finished tasks spread over 30 days and P pending ones, then times what
/// the dashboard asks of the store as the query grain runs it: metrics (<c>GET /tasks/metrics</c>, from the maintained
/// counts) beside the <c>COUNT … GROUP BY</c> it replaced, the dead-letter page (<c>status=failed&amp;since=6h</c>) and
/// its next page, and the first page of <c>status=pending</c>.</summary>
internal static class HistoryBenchmark
{
    private const string IdPlaceholder = "00000000-0000-0000-0000-000000000000";

    public static async Task RunAsync(string connectionString, int rows, int queries, int pending)
    {
        var store = new PostgresTaskStore(connectionString, NullLogger<PostgresTaskStore>.Instance);
        await store.InitializeAsync(CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        await SeedAsync(connectionString, rows, pending, now);

        var metrics = new List<double>();
        var recount = new List<double>();
        var first = new List<double>();
        var next = new List<double>();
        var pendingPage = new List<double>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        for (var i = 0; i < queries; i++)
        {
            metrics.Add(await TimeAsync(() => store.MetricsAsync()));
            var failed = new TaskQuery { Statuses = [TaskRunStatus.Failed], Since = now.AddHours(-6), Limit = 50 };
            TaskPage? page = null;
            first.Add(await TimeAsync(async () => page = await store.QueryAsync(failed)));
            if (page!.Next is { } cursor) next.Add(await TimeAsync(() => store.QueryAsync(failed with { After = cursor })));
            if (pending > 0) pendingPage.Add(await TimeAsync(() => store.QueryAsync(new TaskQuery { Statuses = [TaskRunStatus.Pending], Limit = 50 })));
            // What metrics did before the counts were kept, for the ratio: a few samples, it is slow.
            if (i % 20 == 0)
            {
                await using var count = new NpgsqlCommand("SELECT status, count(*) FROM taskflow.tasks GROUP BY status", connection);
                recount.Add(await TimeAsync(async () => { await using var reader = await count.ExecuteReaderAsync(); while (await reader.ReadAsync()) { } }));
            }
        }

        var total = (await store.MetricsAsync()).Total;
        await store.DisposeAsync();
        var runtime = await RuntimeMetricsAsync(connectionString, queries);
        Console.WriteLine($"TaskFlow history benchmark: {rows:N0} finished + {pending:N0} pending rows in PostgreSQL ({total:N0} counted), {queries} queries each");
        Console.WriteLine($"metrics (maintained counts + durations):   p50 {P(metrics, 0.5):0.0} ms, p95 {P(metrics, 0.95):0.0} ms, max {metrics.Max():0.0} ms");
        Console.WriteLine($"GET /tasks/metrics' grain call, in a silo:  p50 {P(runtime, 0.5):0.0} ms, p95 {P(runtime, 0.95):0.0} ms, max {runtime.Max():0.0} ms (pending rows removed first)");
        Console.WriteLine($"COUNT(*) GROUP BY status (what it replaced): p50 {P(recount, 0.5):0.0} ms, p95 {P(recount, 0.95):0.0} ms ({recount.Count} samples)");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio metrics_p95_vs_group_by={P(metrics, 0.95) / P(recount, 0.95):0.0000}"));
        Console.WriteLine($"status=failed&since=6h&limit=50, first page: p50 {P(first, 0.5):0.0} ms, p95 {P(first, 0.95):0.0} ms, max {first.Max():0.0} ms");
        if (next.Count > 0)
            Console.WriteLine($"the same, next page (cursor):            p50 {P(next, 0.5):0.0} ms, p95 {P(next, 0.95):0.0} ms");
        if (pendingPage.Count > 0)
            Console.WriteLine($"status=pending&limit=50, first page:     p50 {P(pendingPage, 0.5):0.0} ms, p95 {P(pendingPage, 0.95):0.0} ms");
    }

    /// <summary><c>GET /tasks/metrics</c> is one call of the query grain (the store's metrics and the dispatcher's queue
    /// snapshot): timed through a silo on the seeded database, as the route makes it, without HTTP and JSON. The pending
    /// rows are removed (and the counts recounted) first: a starting silo's recovery sweep would wake every one.</summary>
    private static async Task<List<double>> RuntimeMetricsAsync(string connectionString, int queries)
    {
        await using (var connection = new NpgsqlConnection(connectionString))
        {
            await connection.OpenAsync();
            await ExecuteAsync(connection, "DELETE FROM taskflow.tasks WHERE status = 'pending'; SELECT taskflow.recount_tasks()");
        }
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TaskFlow:Storage:Provider"] = "Postgres",
            ["TaskFlow:Storage:ConnectionString"] = connectionString,
        });
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(siloPort: 21112, gatewayPort: 31001, serviceId: "bench-history-" + Guid.NewGuid().ToString("N"))
            .AddTaskFlow(builder.Configuration, _ => { }));
        using var host = builder.Build();
        await host.StartAsync();
        var query = host.Services.GetRequiredService<IGrainFactory>().GetGrain<ITaskQueryGrain>(0);
        for (var i = 0; i < 10; i++) await query.Metrics();
        var times = new List<double>();
        for (var i = 0; i < queries; i++) times.Add(await TimeAsync(() => query.Metrics()));
        await host.StopAsync();
        return times;
    }

    /// <summary>Rows made by the server (<c>generate_series</c>), with the secondary indexes dropped while they go in and
    /// built again after (as the schema defines them), then counted the way an upgrade counts existing history.</summary>
    private static async Task SeedAsync(string connectionString, int rows, int pending, DateTimeOffset now)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await ExecuteAsync(connection, "TRUNCATE taskflow.tasks; TRUNCATE taskflow.task_counts");
        var indexes = new List<(string Name, string Definition)>();
        await using (var list = new NpgsqlCommand(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = 'taskflow' AND tablename = 'tasks' AND indexname NOT LIKE '%pkey'", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) indexes.Add((reader.GetString(0), reader.GetString(1)));
        }
        foreach (var (name, _) in indexes) await ExecuteAsync(connection, $"DROP INDEX taskflow.{name}");

        var clock = Stopwatch.StartNew();
        string[] statuses = ["success", "failed", "interrupted", "cancelled", "pending"];
        var templates = statuses.Select(s => Template(TaskStateJson.ParseStatus(s), now)).ToArray();
        const int Chunk = 1_000_000;
        for (var start = 0; start < rows + pending; start += Chunk)
        {
            // g < rows: finished (90 % success, 5 % failed, 2 % interrupted, 3 % cancelled); the rest pending.
            await using var insert = new NpgsqlCommand("""
                INSERT INTO taskflow.tasks (task_id, name, status, priority, source, created_at, started_at, ended_at, attempts,
                    error_type, etag, state)
                SELECT id, (ARRAY['send_welcome_email', 'send_otp', 'generate_monthly_report', 'sync_exchange_rates', 'webhook'])[1 + g % 5],
                    $4[si], 0, 'api', created, CASE WHEN si < 5 THEN created + 5 END, CASE WHEN si < 5 THEN created + 5 + g % 5000 END,
                    CASE WHEN si < 5 THEN 1 ELSE 0 END, CASE WHEN si = 2 THEN 'HttpRequestException' END, 1, replace($5[si], $6, id::text)
                FROM (
                    SELECT g, gen_random_uuid() AS id, $3 - (g::bigint * 7919 % 2592000000) AS created,
                        CASE WHEN g >= $7 THEN 5 WHEN g % 100 < 90 THEN 1 WHEN g % 100 < 95 THEN 2 WHEN g % 100 < 97 THEN 3 ELSE 4 END AS si
                    FROM generate_series($1, $2) AS g
                ) AS seed
                """, connection) { CommandTimeout = 0 };
            insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = start });
            insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = Math.Min(start + Chunk, rows + pending) - 1 });
            insert.Parameters.Add(new NpgsqlParameter<long> { TypedValue = now.ToUnixTimeMilliseconds() });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = statuses });
            insert.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = templates });
            insert.Parameters.Add(new NpgsqlParameter<string> { TypedValue = IdPlaceholder });
            insert.Parameters.Add(new NpgsqlParameter<int> { TypedValue = rows });
            await insert.ExecuteNonQueryAsync();
        }
        var inserted = clock.Elapsed;
        foreach (var (_, definition) in indexes) await ExecuteAsync(connection, definition);
        await ExecuteAsync(connection, "ANALYZE taskflow.tasks");
        var indexed = clock.Elapsed;
        await ExecuteAsync(connection, "SELECT taskflow.recount_tasks()");
        Console.WriteLine($"seeded {rows + pending:N0} rows: inserted in {inserted.TotalSeconds:0.0} s, indexed in {(indexed - inserted).TotalSeconds:0.0} s, " +
                          $"counted (taskflow.recount_tasks(), what the 005 upgrade runs) in {(clock.Elapsed - indexed).TotalSeconds:0.0} s");
    }

    /// <summary>A real stored state of the status, its id left as a placeholder the seed fills in; the columns, not this
    /// text, hold the row's times.</summary>
    private static string Template(TaskRunStatus status, DateTimeOffset now) => TaskStateJson.Serialize(new TaskState
    {
        Record = new TaskRecord
        {
            TaskId = Guid.Empty, Name = "send_welcome_email", Status = status, CreatedAt = now,
            StartedAt = status == TaskRunStatus.Pending ? null : now, EndedAt = status.IsTerminal() ? now.AddSeconds(1) : null,
            AttemptCount = status == TaskRunStatus.Pending ? 0 : 1,
            Error = status == TaskRunStatus.Failed ? "The remote service answered 503." : null,
            ErrorType = status == TaskRunStatus.Failed ? "HttpRequestException" : null,
            ArgsJson = """{"address":"someone@example.com"}""",
        },
        Options = TaskOptions.Default,
    });

    private static async Task<double> TimeAsync(Func<Task> action)
    {
        var clock = Stopwatch.StartNew();
        await action();
        return clock.Elapsed.TotalMilliseconds;
    }

    private static async Task ExecuteAsync(NpgsqlConnection connection, string sql)
    {
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync();
    }

    private static double P(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
