using System.Net;
using System.Text;
using TaskFlow.IntegrationTests.Categories;
using TaskFlow.IntegrationTests.Hosts;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Faults;

/// <summary>PostgreSQL stops under a cluster of a standalone silo and a Client-mode API node (each its own process):
/// every route of the admin API answers 503 with Retry-After, or (routes that need no store, or whose grain holds its
/// state in memory) a documented non-5xx; both readiness probes report not-ready until the database is back.</summary>
[Collection(PostgresCollection.Name)]
[Trait(TestCategory.Name, TestCategory.Postgres)]
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class ClientOutageTests(PostgresServer server, ITestOutputHelper output)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>Each route, its body, and the statuses besides 503 that API.md allows it during an outage.</summary>
    private static (string Endpoint, string? Body, int[] AlsoAllowed)[] Routes(Guid known, Guid unknown) =>
    [
        ("POST /tasks", """{"name":"send_welcome_email","args":{"address":"outage@example.com"}}""", []),
        ("GET /tasks", null, []),
        ("GET /tasks?status=failed&since=1h", null, []),
        ("GET /tasks/metrics", null, []),
        ($"GET /tasks/{unknown:D}", null, []),
        ($"GET /tasks/{known:D}", null, [200]),
        ($"POST /tasks/{unknown:D}/cancel", null, []),
        ($"POST /tasks/{unknown:D}/retry", null, []),
        ("POST /tasks/replay", """{"since":"1h","dryRun":true}""", []),
        ("POST /tasks/replay", $$"""{"taskIds":["{{unknown:D}}"],"dryRun":false}""", []),
        ("DELETE /tasks/history?olderThan=3650d", null, []),
        ("POST /tasks/schedules/sync_exchange_rates/trigger", null, []),
        ("POST /tasks/schedules/sync_exchange_rates/pause", null, []),
        ("POST /tasks/schedules/sync_exchange_rates/resume", null, []),
        ("GET /tasks/schedules", null, [200]),
        ("GET /tasks/audit", null, [200]),
        ("GET /tasks/cluster", null, [200]),
        ("GET /tasks/registry", null, [200]),
        ("GET /tasks/dashboard", null, [200]),
        ("GET /tasks/stream", null, [200]),
        ("POST /tasks/schedules/no_such_schedule/pause", null, [404]),
        ("GET /tasks/not-a-task-id", null, [404]),
    ];

    [Fact]
    public async Task With_the_database_stopped_every_route_answers_503_with_retry_after_or_a_documented_non_5xx()
    {
        Assert.True(server.OwnsServer, "this test stops and starts the PostgreSQL server, so it needs one the test run started");
        var connectionString = await server.CreateDatabaseAsync();
        var settings = ProcessCluster.PostgresSettings(connectionString + ";Timeout=3;Command Timeout=5");
        try
        {
            var healthPort = FreePort.Next();
            await using var silo = ProcessCluster.StartSilo(new Dictionary<string, string>(settings) { ["TaskFlow__Cluster__HealthPort"] = HostProcess.Port(healthPort) }, FreePort.Next());
            await silo.WaitForOutputAsync("Application started", ProcessCluster.StartTimeout);
            await ProcessCluster.WaitForActiveSilosAsync(connectionString, 1);
            await using var api = await ApiHost.StartAsync(new Dictionary<string, string>(settings) { ["TaskFlow__Cluster__Mode"] = "Client" });
            using var siloHealth = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{healthPort}"), Timeout = TimeSpan.FromSeconds(30) };
            Assert.Equal(HttpStatusCode.OK, (await siloHealth.GetAsync("/health/ready")).StatusCode);

            var known = await api.EnqueueAsync("send_welcome_email", new { address = "before@example.com" });
            await ProcessCluster.ExpectAllSucceededAsync(api, [known]);
            Assert.Equal(HttpStatusCode.OK, (await api.Http.GetAsync("/tasks/audit")).StatusCode);

            await server.StopServerAsync();
            var failures = new List<string>();
            foreach (var (endpoint, body, alsoAllowed) in Routes(known, Guid.NewGuid()))
            {
                var space = endpoint.IndexOf(' ', StringComparison.Ordinal);
                using var request = new HttpRequestMessage(new HttpMethod(endpoint[..space]), endpoint[(space + 1)..]);
                if (body is not null) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
                using var cancel = new CancellationTokenSource(Timeout);
                using var response = await api.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancel.Token);
                var status = (int)response.StatusCode;
                var text = endpoint.EndsWith("/stream", StringComparison.Ordinal) ? "(stream)" : await response.Content.ReadAsStringAsync(cancel.Token);
                output.WriteLine($"{endpoint} → {status} {response.Headers.RetryAfter}");
                if (status == 503)
                {
                    if (response.Headers.RetryAfter?.Delta is not { } delta || delta <= TimeSpan.Zero)
                        failures.Add($"{endpoint}: 503 without Retry-After");
                    if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
                        failures.Add($"{endpoint}: 503 that is not problem+json: {text}");
                }
                else if (!alsoAllowed.Contains(status))
                {
                    failures.Add($"{endpoint}: {status} (expected 503{string.Concat(alsoAllowed.Select(a => $" or {a}"))}): {text[..Math.Min(text.Length, 300)]}");
                }
                if (text.Contains("CodecNotFound", StringComparison.Ordinal) || text.Contains("   at ", StringComparison.Ordinal))
                    failures.Add($"{endpoint}: the body leaks an exception: {text[..Math.Min(text.Length, 300)]}");
            }

            await Eventually.WaitAsync(async () => (await api.Http.GetAsync("/health/ready")).StatusCode,
                s => s == HttpStatusCode.ServiceUnavailable, Timeout, "the API node's readiness to report the store away");
            await Eventually.WaitAsync(async () => (await siloHealth.GetAsync("/health/ready")).StatusCode,
                s => s == HttpStatusCode.ServiceUnavailable, Timeout, "the silo's readiness to report the store away");
            Assert.True(failures.Count == 0, string.Join("\n", failures));

            await server.StartServerAsync();
            await Eventually.WaitAsync(async () => (await api.Http.GetAsync("/health/ready")).StatusCode,
                s => s == HttpStatusCode.OK, Timeout, "the API node to be ready again once the database is back");
            await Eventually.WaitAsync(async () => (await siloHealth.GetAsync("/health/ready")).StatusCode,
                s => s == HttpStatusCode.OK, Timeout, "the silo to be ready again once the database is back");
            Assert.False(silo.HasExited, silo.Output);
        }
        finally
        {
            await server.StartServerAsync().ContinueWith(_ => { }, TaskScheduler.Default);
            await server.DropDatabaseAsync(connectionString);
        }
    }
}
