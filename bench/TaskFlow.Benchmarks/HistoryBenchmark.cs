using System.Diagnostics;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;
using TaskFlow.Grains;
using TaskFlow.Storage;
using TaskFlow.Tasks;

namespace TaskFlow.Benchmarks;

/// <summary>Seeds the PostgreSQL history with N finished and unfinished tasks spread over 30 days, then times the
/// dashboard's dead-letter query — <c>GET /tasks?status=failed&amp;since=6h&amp;limit=50</c> — and its next pages
/// through the store, as the query grain runs it.</summary>
internal static class HistoryBenchmark
{
    public static async Task RunAsync(string connectionString, int rows, int queries)
    {
        var store = new PostgresTaskStore(connectionString, NullLogger<PostgresTaskStore>.Instance);
        await store.InitializeAsync(CancellationToken.None);
        var now = DateTimeOffset.UtcNow;
        await SeedAsync(connectionString, rows, now);

        var first = new List<double>();
        var next = new List<double>();
        var metrics = new List<double>();
        for (var i = 0; i < queries; i++)
        {
            var query = new TaskQuery { Statuses = [TaskRunStatus.Failed], Since = now.AddHours(-6), Limit = 50 };
            var clock = Stopwatch.StartNew();
            var page = await store.QueryAsync(query);
            first.Add(clock.Elapsed.TotalMilliseconds);
            if (page.Next is { } cursor)
            {
                clock.Restart();
                await store.QueryAsync(query with { After = cursor });
                next.Add(clock.Elapsed.TotalMilliseconds);
            }
            if (i % 10 == 0)
            {
                clock.Restart();
                await store.MetricsAsync();
                metrics.Add(clock.Elapsed.TotalMilliseconds);
            }
        }

        Console.WriteLine($"TaskFlow history benchmark: {rows:N0} rows in PostgreSQL, {queries} queries");
        Console.WriteLine($"status=failed&since=6h&limit=50, first page: p50 {P(first, 0.5):0.0} ms, p95 {P(first, 0.95):0.0} ms, max {first.Max():0.0} ms");
        if (next.Count > 0)
            Console.WriteLine($"the same, next page (cursor):            p50 {P(next, 0.5):0.0} ms, p95 {P(next, 0.95):0.0} ms");
        Console.WriteLine($"metrics (counts by status, durations):   p50 {P(metrics, 0.5):0.0} ms, p95 {P(metrics, 0.95):0.0} ms");
    }

    private static async Task SeedAsync(string connectionString, int rows, DateTimeOffset now)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using (var truncate = new NpgsqlCommand("TRUNCATE taskflow.tasks", connection)) await truncate.ExecuteNonQueryAsync();

        var random = new Random(7);
        string[] names = ["send_welcome_email", "send_otp", "generate_monthly_report", "sync_exchange_rates", "webhook"];
        var clock = Stopwatch.StartNew();
        await using (var writer = await connection.BeginBinaryImportAsync(
            "COPY taskflow.tasks (task_id, name, status, priority, source, created_at, started_at, ended_at, attempts, error_type, etag, state) FROM STDIN (FORMAT BINARY)"))
        {
            for (var i = 0; i < rows; i++)
            {
                var created = now.AddSeconds(-random.NextDouble() * 30 * 24 * 3600);
                var roll = random.NextDouble();
                var status = roll < 0.90 ? TaskRunStatus.Success : roll < 0.95 ? TaskRunStatus.Failed : roll < 0.97 ? TaskRunStatus.Interrupted
                    : roll < 0.98 ? TaskRunStatus.Cancelled : TaskRunStatus.Pending;
                var started = status == TaskRunStatus.Pending ? (DateTimeOffset?)null : created.AddMilliseconds(random.Next(1, 2_000));
                var ended = status.IsTerminal() ? started?.AddMilliseconds(random.Next(5, 5_000)) : null;
                var record = new TaskRecord
                {
                    TaskId = Guid.NewGuid(), Name = names[random.Next(names.Length)], Status = status, CreatedAt = created,
                    StartedAt = started, EndedAt = ended, AttemptCount = status == TaskRunStatus.Pending ? 0 : 1,
                    Error = status == TaskRunStatus.Failed ? "The remote service answered 503." : null,
                    ErrorType = status == TaskRunStatus.Failed ? "HttpRequestException" : null,
                    ArgsJson = """{"address":"someone@example.com"}""",
                };
                var state = TaskStateJson.Serialize(new TaskState { Record = record, Options = TaskOptions.Default });
                await writer.StartRowAsync();
                await writer.WriteAsync(record.TaskId, NpgsqlDbType.Uuid);
                await writer.WriteAsync(record.Name, NpgsqlDbType.Text);
                await writer.WriteAsync(TaskStateJson.StatusName(status), NpgsqlDbType.Text);
                await writer.WriteAsync(0, NpgsqlDbType.Integer);
                await writer.WriteAsync("api", NpgsqlDbType.Text);
                await writer.WriteAsync(created.ToUnixTimeMilliseconds(), NpgsqlDbType.Bigint);
                await WriteNullableAsync(writer, started?.ToUnixTimeMilliseconds());
                await WriteNullableAsync(writer, ended?.ToUnixTimeMilliseconds());
                await writer.WriteAsync(record.AttemptCount, NpgsqlDbType.Integer);
                if (record.ErrorType is null) await writer.WriteNullAsync(); else await writer.WriteAsync(record.ErrorType, NpgsqlDbType.Text);
                await writer.WriteAsync(1L, NpgsqlDbType.Bigint);
                await writer.WriteAsync(state, NpgsqlDbType.Text);
            }
            await writer.CompleteAsync();
        }
        await using (var analyze = new NpgsqlCommand("ANALYZE taskflow.tasks", connection)) await analyze.ExecuteNonQueryAsync();
        Console.WriteLine($"seeded {rows:N0} rows in {clock.Elapsed.TotalSeconds:0.0} s");
    }

    private static async Task WriteNullableAsync(NpgsqlBinaryImporter writer, long? value)
    {
        if (value is { } v) await writer.WriteAsync(v, NpgsqlDbType.Bigint);
        else await writer.WriteNullAsync();
    }

    private static double P(List<double> values, double p)
    {
        var sorted = values.Order().ToList();
        return sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
    }
}
