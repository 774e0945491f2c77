using System.Globalization;
using TaskFlow.Grains;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Cluster;

/// <summary>An every-second schedule on three silos: each occurrence fires once, even when the silo holding the
/// schedule dies.</summary>
public sealed class ScheduleClusterTests(ITestOutputHelper output)
{
    private static async Task<List<DateTimeOffset>> OccurrencesAsync(DispatchCluster cluster)
    {
        var occurrences = new List<DateTimeOffset>();
        TaskCursor? after = null;
        do
        {
            TaskPage page;
            try
            {
                page = await cluster.Cluster.Client.GetGrain<ITaskQueryGrain>(0)
                    .List(new TaskQuery { ScheduleName = DispatchCluster.ScheduleName, Limit = 500, After = after });
            }
            catch (Exception ex) when (ex is Orleans.Runtime.Messaging.ConnectionFailedException or TimeoutException or Orleans.Runtime.SiloUnavailableException)
            {
                return occurrences;
            }
            occurrences.AddRange(page.Items.Select(r => DateTimeOffset.Parse(r.Tags["occurrence"], CultureInfo.InvariantCulture)));
            after = page.Next;
        }
        while (after is not null);
        return occurrences;
    }

    private static Task<List<DateTimeOffset>> WaitUntilAsync(DispatchCluster cluster, DateTimeOffset until) =>
        Eventually.WaitAsync(() => OccurrencesAsync(cluster), o => o.Count > 0 && o.Max() >= until, TimeSpan.FromSeconds(60),
            $"an occurrence at or after {until:HH:mm:ss}");

    [Fact]
    public async Task An_every_second_schedule_fires_twenty_times_in_twenty_seconds_with_no_occurrence_twice()
    {
        await using var cluster = await DispatchCluster.StartAsync(maxConcurrency: 10, everySecondSchedule: true);
        var first = (await WaitUntilAsync(cluster, DateTimeOffset.MinValue)).Min();
        var window = (From: first.AddSeconds(1), To: first.AddSeconds(20));

        var occurrences = await WaitUntilAsync(cluster, window.To.AddSeconds(1));

        var inWindow = occurrences.Where(o => o >= window.From && o <= window.To).ToList();
        output.WriteLine($"{inWindow.Count} fires from {window.From:HH:mm:ss} to {window.To:HH:mm:ss}");
        Assert.InRange(inWindow.Count, 19, 21);
        Assert.Equal(occurrences.Count, occurrences.Distinct().Count());
    }

    [Fact]
    public async Task Killing_the_silo_of_the_schedule_never_fires_an_occurrence_twice()
    {
        await using var cluster = await DispatchCluster.StartAsync(maxConcurrency: 10, everySecondSchedule: true);
        var schedule = cluster.Cluster.Client.GetGrain<IScheduleGrain>(DispatchCluster.ScheduleName);
        var first = (await WaitUntilAsync(cluster, DateTimeOffset.MinValue)).Min();
        var host = (await schedule.Describe())!.Host;
        if (host == cluster.Cluster.Primary!.SiloAddress.ToString())
        {
            // The test cluster's membership lives on the primary silo: move the schedule before killing its silo.
            await cluster.Cluster.MigrateAsync(schedule, cluster.Cluster.SecondarySilos[0].SiloAddress);
            host = (await schedule.Describe())!.Host;
        }
        var victim = cluster.Cluster.SecondarySilos.Single(s => s.SiloAddress.ToString() == host);

        await WaitUntilAsync(cluster, first.AddSeconds(10));
        var killedAt = DateTimeOffset.UtcNow;
        await cluster.Cluster.KillSiloAsync(victim);
        var occurrences = await WaitUntilAsync(cluster, killedAt.AddSeconds(10));

        var duplicates = occurrences.GroupBy(o => o).Where(g => g.Count() > 1).Select(g => g.Key).ToList();
        var after = occurrences.Where(o => o > killedAt).Order().ToList();
        output.WriteLine($"{occurrences.Count} fires; after the kill: first at +{(after[0] - killedAt).TotalSeconds:0.0} s; duplicates: {duplicates.Count}");
        Assert.Empty(duplicates);
        Assert.NotEqual(host, (await schedule.Describe())!.Host);
        // It keeps to the timetable again: the last few seconds have one fire each.
        var last = after[^1];
        Assert.Equal(5, after.Count(o => o > last.AddSeconds(-5)));
    }
}
