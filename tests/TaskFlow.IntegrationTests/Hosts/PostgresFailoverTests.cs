using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using TaskFlow.IntegrationTests.Categories;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Hosts;

/// <summary>Enqueues that keep coming while a silo is killed: the cluster declares it dead within 10 s, and every
/// enqueue of that window is answered (retried onto a live silo) without a 5xx and without waiting out Orleans' 30 s
/// response timeout.</summary>
[Collection(PostgresCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Postgres)]
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class PostgresFailoverTests(PostgresServer server, ITestOutputHelper output)
{
    private const int SiloDead = 6;

    [Fact]
    public async Task Enqueues_during_a_silo_kill_are_all_accepted_quickly_and_the_dead_silo_is_declared_within_ten_seconds()
    {
        var connectionString = await server.CreateDatabaseAsync();
        var settings = ProcessCluster.PostgresSettings(connectionString);
        try
        {
            var doomedPort = FreePort.Next();
            await using var doomed = ProcessCluster.StartSilo(settings, doomedPort);
            await using var first = ProcessCluster.StartSilo(settings, FreePort.Next());
            await using var second = ProcessCluster.StartSilo(settings, FreePort.Next());
            foreach (var silo in new[] { doomed, first, second })
                await silo.WaitForOutputAsync("Application started", ProcessCluster.StartTimeout);
            await ProcessCluster.WaitForActiveSilosAsync(connectionString, 3);
            await using var api = await ApiHost.StartAsync(new Dictionary<string, string>(settings) { ["TaskFlow__Cluster__Mode"] = "Client" });
            await ProcessCluster.ExpectAllSucceededAsync(api, await ProcessCluster.EnqueueAsync(api, 6, "warm-up"));

            // Four callers enqueue without pause from 2 s before the kill until 5 s after the death is declared.
            var statuses = new ConcurrentBag<HttpStatusCode>();
            var latencies = new ConcurrentBag<double>();
            var accepted = new ConcurrentBag<Guid>();
            using var stop = new CancellationTokenSource();
            var callers = Enumerable.Range(0, 4).Select(c => Task.Run(async () =>
            {
                for (var i = 0; !stop.IsCancellationRequested && i < 5_000; i++)
                {
                    var clock = Stopwatch.StartNew();
                    using var response = await api.Http.PostAsJsonAsync("/tasks",
                        new { name = "send_welcome_email", args = new { address = $"failover-{c}-{i}@example.com" } });
                    latencies.Add(clock.Elapsed.TotalMilliseconds);
                    statuses.Add(response.StatusCode);
                    if (response.StatusCode == HttpStatusCode.Accepted)
                        accepted.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("taskId").GetGuid());
                }
            })).ToList();

            await Eventually.WaitAsync(() => Task.FromResult(statuses.Count), n => n >= 20, TimeSpan.FromSeconds(30), "enqueues before the kill");
            var killedAt = Stopwatch.StartNew();
            doomed.Kill();
            await Eventually.WaitAsync(() => ProcessCluster.StatusOfAsync(connectionString, doomedPort), s => s == SiloDead,
                TimeSpan.FromSeconds(30), "the killed silo to be declared dead");
            var declaredAfter = killedAt.Elapsed;
            var countAtDeath = statuses.Count;
            await Eventually.WaitAsync(() => Task.FromResult(statuses.Count), n => n >= countAtDeath + 20, TimeSpan.FromSeconds(30), "enqueues after the death");
            await stop.CancelAsync();
            await Task.WhenAll(callers).WaitAsync(TimeSpan.FromSeconds(60));

            var sorted = latencies.Order().ToList();
            output.WriteLine($"declared dead after {declaredAfter.TotalSeconds:0.0} s; {statuses.Count} enqueues, " +
                $"{statuses.Count(s => (int)s >= 500)} answered 5xx; latency p50 {sorted[sorted.Count / 2]:0} ms, " +
                $"p99 {sorted[(int)(sorted.Count * 0.99)]:0} ms, max {sorted[^1]:0} ms");
            if (statuses.Any(s => s != HttpStatusCode.Accepted) || sorted[^1] >= 15_000)
            {
                foreach (var (name, host) in new[] { ("api", api.Process), ("first silo", first), ("second silo", second) })
                    output.WriteLine($"--- {name}\n{host.Output}");
            }
            Assert.True(declaredAfter < TimeSpan.FromSeconds(10), $"declared dead after {declaredAfter}");
            Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Accepted, s));
            Assert.True(sorted[^1] < 15_000, $"an enqueue took {sorted[^1]:0} ms");
            await ProcessCluster.ExpectAllSucceededAsync(api, [.. accepted]);
            Assert.False(first.HasExited || second.HasExited, first.Output + second.Output);
        }
        finally
        {
            await server.DropDatabaseAsync(connectionString);
        }
    }
}
