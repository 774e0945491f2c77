using System.Globalization;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskFlow.Grains;
using TaskFlow.Hosting;

namespace TaskFlow.Benchmarks;

/// <summary>N schedules firing every second for a while: how close each fire is to its due time (the task's creation
/// against its occurrence) and whether any occurrence fired twice.</summary>
internal static class ScheduleBenchmark
{
    public static async Task RunAsync(int count, int seconds)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TaskFlow:MaxConcurrency"] = "64",
            ["TaskFlow:Storage:Provider"] = "Memory",
        });
        builder.UseOrleans(silo => silo
            .UseLocalhostClustering(siloPort: 21112, gatewayPort: 31001, serviceId: "bench-schedules-" + Guid.NewGuid().ToString("N"))
            .AddTaskFlow(builder.Configuration, tf =>
            {
                for (var i = 0; i < count; i++)
                    tf.AddSchedule<NoOpHandler>($"every_second_{i:000}", TimeSpan.FromSeconds(1));
            }));
        using var host = builder.Build();
        NoOpHandler.Reset(int.MaxValue);
        await host.StartAsync();

        // Let every schedule arm, then measure a clean window.
        await Task.Delay(TimeSpan.FromSeconds(5));
        var from = DateTimeOffset.UtcNow;
        await Task.Delay(TimeSpan.FromSeconds(seconds));
        var to = DateTimeOffset.UtcNow.AddSeconds(-1);

        var query = host.Services.GetRequiredService<IGrainFactory>().GetGrain<ITaskQueryGrain>(0);
        var fires = new List<(string Schedule, DateTimeOffset Occurrence, DateTimeOffset FiredAt)>();
        TaskCursor? after = null;
        do
        {
            var page = await query.List(new TaskQuery { Source = TaskSource.Scheduled, Since = from.AddSeconds(-2), Limit = 500, After = after });
            fires.AddRange(page.Items.Select(r => (r.ScheduleName!, DateTimeOffset.Parse(r.Tags["occurrence"], CultureInfo.InvariantCulture), r.CreatedAt)));
            after = page.Next;
        }
        while (after is not null);
        await host.StopAsync();

        var window = fires.Where(f => f.Occurrence >= from && f.Occurrence <= to).ToList();
        var expected = count * (int)Math.Floor((to - from).TotalSeconds);
        var duplicates = fires.GroupBy(f => (f.Schedule, f.Occurrence)).Count(g => g.Count() > 1);
        var lateness = window.Select(f => (f.FiredAt - f.Occurrence).TotalMilliseconds).Order().ToList();
        var within = lateness.Count(ms => Math.Abs(ms) <= 50);
        Console.WriteLine($"TaskFlow schedule benchmark: {count} schedules every 1 s for {seconds} s, one silo, {Environment.ProcessorCount} cores");
        Console.WriteLine($"fires in window:       {window.Count,8:N0} (about {expected:N0} due)");
        Console.WriteLine($"within ±50 ms of due:  {100.0 * within / Math.Max(1, window.Count),8:0.00} %");
        Console.WriteLine($"lateness p50/p99/max:  {Percentile(lateness, 0.5),6:0.0} / {Percentile(lateness, 0.99):0.0} / {lateness.LastOrDefault():0.0} ms");
        Console.WriteLine($"duplicate occurrences: {duplicates,8}");
    }

    private static double Percentile(List<double> sorted, double p) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
