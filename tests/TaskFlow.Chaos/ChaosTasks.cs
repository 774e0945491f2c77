using Npgsql;
using Orleans.Runtime;

namespace TaskFlow.Chaos;

/// <summary>Arguments of <c>chaos_probe</c>: how long the handler works, and which part of the run enqueued it.</summary>
public sealed record ProbeArgs(int SleepMs = 0, string Batch = "load");

/// <summary>Arguments of the chaos schedules (none).</summary>
public sealed record NoArgs;

/// <summary>The tasks of the chaos run; the silos and the API node register the same ones.</summary>
public static class ChaosTasks
{
    public const string Probe = "chaos_probe";
    public const int Schedules = 10;

    public static string ScheduleName(int index) => $"chaos_every_1s_{index:D2}";

    public static void Register(TaskFlowBuilder tf)
    {
        // Retried through a partition (the evidence write fails while PostgreSQL is unreachable); re-queued when the
        // silo running it dies, so a kill can only lose a task through the runtime, never by the task's options.
        tf.AddTask<ChaosProbe>(Probe, o => o.Retries(5).Delay(1).Backoff(2).RequeueOnInterrupt());
        for (var i = 0; i < Schedules; i++)
            tf.AddSchedule<ScheduleProbe>(ScheduleName(i), TimeSpan.FromSeconds(1), o => o.Task(t => t.Retries(3).Delay(1)));
        tf.Services.AddSingleton<ChaosEvidence>();
    }
}

/// <summary>Writes one row per attempt into <c>chaos.runs</c> (PostgreSQL, the cluster's own database): inserted as the
/// attempt starts, <c>ended_at</c> set as the handler returns successfully. The chaos report counts from these rows.</summary>
public sealed class ChaosEvidence(IConfiguration configuration, IServiceProvider services) : IAsyncDisposable
{
    private readonly Lazy<NpgsqlDataSource> _source = new(() =>
        NpgsqlDataSource.Create(configuration["TaskFlow:Storage:ConnectionString"]
            ?? throw new InvalidOperationException("TaskFlow:Storage:ConnectionString is not set")));

    private string? _host;

    /// <summary>This silo's "ip:port", as <c>attempts[].host</c> records it.</summary>
    public string Host => _host ??= services.GetRequiredService<ILocalSiloDetails>().SiloAddress.Endpoint.ToString();

    public async Task<long> StartAsync(TaskContext context, string? batch, string? schedule, string? occurrence, CancellationToken ct)
    {
        await using var command = _source.Value.CreateCommand(
            "INSERT INTO chaos.runs (task_id, attempt, name, batch, schedule, occurrence, host, started_at) " +
            "VALUES ($1, $2, $3, $4, $5, $6, $7, clock_timestamp()) RETURNING id");
        command.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = context.TaskId });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = context.Attempt });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = context.TaskName });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)batch ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)schedule ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)occurrence ?? DBNull.Value });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = Host });
        return (long)(await command.ExecuteScalarAsync(ct))!;
    }

    public async Task EndAsync(long id, CancellationToken ct)
    {
        await using var command = _source.Value.CreateCommand("UPDATE chaos.runs SET ended_at = clock_timestamp() WHERE id = $1");
        command.Parameters.Add(new NpgsqlParameter<long> { TypedValue = id });
        await command.ExecuteNonQueryAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_source.IsValueCreated) await _source.Value.DisposeAsync();
    }
}

/// <summary><c>chaos_probe</c>: records the attempt, works <c>sleepMs</c>, records that it completed.</summary>
public sealed class ChaosProbe(ChaosEvidence evidence) : ITaskHandler<ProbeArgs>
{
    public async Task RunAsync(ProbeArgs args, TaskContext context, CancellationToken cancellationToken)
    {
        var id = await evidence.StartAsync(context, args.Batch, null, null, cancellationToken);
        if (args.SleepMs > 0) await Task.Delay(args.SleepMs, cancellationToken);
        await evidence.EndAsync(id, cancellationToken);
    }
}

/// <summary>The handler of every chaos schedule: records the fire (schedule and occurrence) as an attempt.</summary>
public sealed class ScheduleProbe(ChaosEvidence evidence) : ITaskHandler<NoArgs>
{
    public async Task RunAsync(NoArgs args, TaskContext context, CancellationToken cancellationToken)
    {
        context.Tags.TryGetValue("occurrence", out var occurrence);
        context.Tags.TryGetValue("triggeredAt", out var triggered);
        var id = await evidence.StartAsync(context, null, context.TaskName, occurrence ?? "triggered:" + triggered, cancellationToken);
        await evidence.EndAsync(id, cancellationToken);
    }
}
