using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;

namespace TaskFlow.Demo;

/// <summary>Arguments of <c>send_welcome_email</c>.</summary>
public sealed record WelcomeEmail([property: Required, EmailAddress] string Address);

/// <summary>Arguments of <c>send_otp</c>.</summary>
public sealed record OneTimePassword([property: Required, MinLength(3)] string Phone);

/// <summary>Arguments of <c>generate_monthly_report</c>.</summary>
public sealed record MonthlyReport([property: Range(1, 12)] int Month, [property: Range(0, 3_600_000)] int DurationMs = 200);

/// <summary>Arguments of <c>sleep</c>.</summary>
public sealed record Sleep([property: Range(0, 86_400_000)] int Ms);

/// <summary>Arguments of <c>flaky</c>.</summary>
public sealed record Flaky([property: Range(0, 1_000)] int FailTimes);

/// <summary>Arguments of <c>fail</c>.</summary>
public sealed record Fail(string Message);

/// <summary>Pretends to send a welcome email (~50 ms) and logs it.</summary>
public sealed class SendWelcomeEmail : ITaskHandler<WelcomeEmail>
{
    /// <inheritdoc />
    public async Task RunAsync(WelcomeEmail args, TaskContext context, CancellationToken cancellationToken)
    {
        await Task.Delay(50, cancellationToken);
        context.Logger.LogInformation("Sent the welcome email to {Address}", args.Address);
    }
}

/// <summary>Pretends to text a one-time password.</summary>
public sealed class SendOneTimePassword : ITaskHandler<OneTimePassword>
{
    /// <inheritdoc />
    public async Task RunAsync(OneTimePassword args, TaskContext context, CancellationToken cancellationToken)
    {
        await Task.Delay(20, cancellationToken);
        context.Logger.LogInformation("Sent a one-time password to {Phone}", args.Phone);
    }
}

/// <summary>Works for <c>durationMs</c>, reporting progress as it goes.</summary>
public sealed class GenerateMonthlyReport(DemoLedger ledger) : ITaskHandler<MonthlyReport>
{
    /// <inheritdoc />
    public async Task RunAsync(MonthlyReport args, TaskContext context, CancellationToken cancellationToken)
    {
        ledger.Record(context);
        const int steps = 10;
        for (var step = 1; step <= steps; step++)
        {
            await Task.Delay(args.DurationMs / steps, cancellationToken);
            context.ReportProgress((double)step / steps);
        }
        context.Logger.LogInformation("Report for month {Month} generated", args.Month);
    }
}

/// <summary>Sleeps <c>ms</c>, honouring cancellation.</summary>
public sealed class SleepTask(DemoLedger ledger) : ITaskHandler<Sleep>
{
    /// <inheritdoc />
    public Task RunAsync(Sleep args, TaskContext context, CancellationToken cancellationToken)
    {
        ledger.Record(context);
        return Task.Delay(args.Ms, cancellationToken);
    }
}

/// <summary>With <c>TaskFlow:Demo:LedgerPath</c> set, <c>sleep</c> and <c>generate_monthly_report</c> append
/// "taskId attempt" to that file as each attempt starts: the crash tests read it to prove what ran, and how often.</summary>
public sealed class DemoLedger(Microsoft.Extensions.Configuration.IConfiguration configuration)
{
    private readonly string? _path = configuration["TaskFlow:Demo:LedgerPath"];
    private readonly Lock _gate = new();

    /// <summary>Appends the attempt's line, when a ledger is configured.</summary>
    public void Record(TaskContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (string.IsNullOrEmpty(_path)) return;
        lock (_gate) File.AppendAllText(_path, $"{context.TaskId:D} {context.Attempt}{Environment.NewLine}");
    }
}

/// <summary>Throws on its first <c>failTimes</c> attempts, then succeeds.</summary>
public sealed class FlakyTask : ITaskHandler<Flaky>
{
    /// <inheritdoc />
    public Task RunAsync(Flaky args, TaskContext context, CancellationToken cancellationToken)
    {
        if (context.Attempt <= args.FailTimes)
            throw new InvalidOperationException($"Flaky failure on attempt {context.Attempt} of {args.FailTimes} planned.");
        context.Logger.LogInformation("Succeeded on attempt {Attempt}", context.Attempt);
        return Task.CompletedTask;
    }
}

/// <summary>Always throws <see cref="InvalidOperationException"/> with the given message.</summary>
public sealed class FailTask : ITaskHandler<Fail>
{
    /// <inheritdoc />
    public Task RunAsync(Fail args, TaskContext context, CancellationToken cancellationToken) =>
        throw new InvalidOperationException(args.Message);
}

/// <summary>Arguments of the demo schedules (none).</summary>
public sealed record NoArgs;

/// <summary>Pretends to refresh exchange rates (every 5 minutes).</summary>
public sealed class SyncExchangeRates : ITaskHandler<NoArgs>
{
    /// <inheritdoc />
    public async Task RunAsync(NoArgs args, TaskContext context, CancellationToken cancellationToken)
    {
        await Task.Delay(30, cancellationToken);
        context.Logger.LogInformation("Exchange rates refreshed");
    }
}

/// <summary>Pretends to send the daily digest (weekdays 09:00 New York time).</summary>
public sealed class SendDailyDigest : ITaskHandler<NoArgs>
{
    /// <inheritdoc />
    public async Task RunAsync(NoArgs args, TaskContext context, CancellationToken cancellationToken)
    {
        await Task.Delay(30, cancellationToken);
        context.Logger.LogInformation("Daily digest sent");
    }
}

/// <summary>Logs a beat; on when <c>TaskFlow:Demo:HeartbeatSeconds</c> is above 0.</summary>
public sealed class Heartbeat : ITaskHandler<NoArgs>
{
    /// <inheritdoc />
    public Task RunAsync(NoArgs args, TaskContext context, CancellationToken cancellationToken)
    {
        context.Logger.LogInformation("Beat");
        return Task.CompletedTask;
    }
}

/// <summary>Registers the demo tasks of API.md.</summary>
public static class DemoTasks
{
    /// <summary>Adds <c>send_welcome_email</c>, <c>send_otp</c>, <c>generate_monthly_report</c>, <c>sleep</c>,
    /// <c>flaky</c> and <c>fail</c>, and the schedules <c>sync_exchange_rates</c>, <c>send_daily_digest</c> and, when
    /// <paramref name="heartbeatSeconds"/> is above 0, <c>heartbeat</c>.</summary>
    public static TaskFlowBuilder AddDemoTasks(this TaskFlowBuilder tf, double heartbeatSeconds = 0)
    {
        ArgumentNullException.ThrowIfNull(tf);
        tf.Services.TryAddSingleton<DemoLedger>();
        tf
            .AddTask<SendWelcomeEmail>("send_welcome_email", o => o.Retries(3).Delay(1).Backoff(2))
            .AddTask<SendOneTimePassword>("send_otp", o => o.Priority(9).Retries(2))
            .AddTask<GenerateMonthlyReport>("generate_monthly_report", o => o.Priority(1).Retries(1))
            .AddTask<SleepTask>("sleep", o => o.RequeueOnInterrupt(false))
            .AddTask<FlakyTask>("flaky", o => o.Retries(3).Delay(0.2).Backoff(2))
            .AddTask<FailTask>("fail", o => o.Retries(0))
            .AddSchedule<SyncExchangeRates>("sync_exchange_rates", every: TimeSpan.FromSeconds(300))
            .AddSchedule<SendDailyDigest>("send_daily_digest", cron: "0 9 * * 1-5", timeZone: "America/New_York");
        if (heartbeatSeconds > 0) tf.AddSchedule<Heartbeat>("heartbeat", every: TimeSpan.FromSeconds(heartbeatSeconds));
        return tf;
    }
}
