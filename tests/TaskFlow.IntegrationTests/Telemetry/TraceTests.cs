using System.Diagnostics;
using System.Globalization;
using OpenTelemetry;
using OpenTelemetry.Trace;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Telemetry;

/// <summary>Traces through the real hosts, collected by OpenTelemetry's in-memory exporter in this process: the HTTP
/// request that enqueues, the enqueue span and the attempt's span are one trace, across nodes and across a restart.</summary>
public sealed class TraceTests : IDisposable
{
    private readonly List<Activity> _spans = [];
    private readonly TracerProvider _tracing;
    private readonly TempDirectory _dir = new();

    public TraceTests()
    {
        _tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(TaskFlowTelemetry.SourceName, "Microsoft.AspNetCore")
            .AddInMemoryExporter(_spans)
            .Build()!;
    }

    public void Dispose()
    {
        _tracing.Dispose();
        _dir.Dispose();
    }

    private static string Port() => FreePort.Next().ToString(CultureInfo.InvariantCulture);

    /// <summary>The spans of one trace exported so far (other tests in this process emit too).</summary>
    private List<Activity> SpansOf(string traceId)
    {
        _tracing.ForceFlush();
        lock (_spans) return [.. _spans.Where(s => s.TraceId.ToHexString() == traceId)];
    }

    [Fact]
    public async Task The_post_on_a_client_node_the_enqueue_and_the_attempt_on_the_silo_of_another_node_are_one_trace()
    {
        var gateway = Port();
        await using var siloNode = new TelemetryNode(new Dictionary<string, string> { ["TaskFlow:Cluster:GatewayPort"] = gateway });
        using var siloHttp = siloNode.CreateClient();
        await using var clientNode = new TelemetryNode(new Dictionary<string, string>
        {
            ["TaskFlow:Cluster:Mode"] = "Client",
            ["TaskFlow:Cluster:GatewayPort"] = gateway,
        });
        using var http = clientNode.CreateClient();

        var accepted = await clientNode.EnqueueAsync(http, new { name = "fail", args = new { message = "smtp down" } });
        var taskId = accepted.GetProperty("taskId").GetString()!;
        var traceId = accepted.GetProperty("traceId").GetString()!;
        var record = await TelemetryNode.WaitForStatusAsync(http, taskId, "failed");

        Assert.Equal(traceId, record.GetProperty("traceId").GetString());
        var spans = await Eventually.WaitAsync(() => Task.FromResult(SpansOf(traceId)),
            s => s.Any(a => a.Kind == ActivityKind.Consumer), TelemetryNode.Patience, "the attempt's span");
        var post = Assert.Single(spans, s => s.Kind == ActivityKind.Server && s.Source.Name == "Microsoft.AspNetCore");
        var enqueue = Assert.Single(spans, s => s.Kind == ActivityKind.Producer);
        var attempt = Assert.Single(spans, s => s.Kind == ActivityKind.Consumer);

        Assert.Equal(post.SpanId, enqueue.ParentSpanId);
        Assert.Equal(enqueue.SpanId, attempt.ParentSpanId);
        Assert.Equal("send fail", enqueue.DisplayName);
        Assert.Equal("process fail", attempt.DisplayName);
        foreach (var span in new[] { enqueue, attempt })
        {
            Assert.Equal("taskflow", span.GetTagItem("messaging.system"));
            Assert.Equal("fail", span.GetTagItem("messaging.destination.name"));
            Assert.Equal(taskId, span.GetTagItem("messaging.message.id"));
        }
        Assert.Equal(1, attempt.GetTagItem("taskflow.task.attempt"));
        Assert.Equal("failure", attempt.GetTagItem("outcome"));
        Assert.Equal(ActivityStatusCode.Error, attempt.Status);
        Assert.Equal(nameof(InvalidOperationException), attempt.GetTagItem("error.type"));
        var exception = Assert.Single(attempt.Events, e => e.Name == "exception");
        Assert.Contains(exception.Tags, t => t.Key == "exception.message" && (string?)t.Value == "smtp down");

        // The attempt ran on the other node's silo, not on the client node (which has none).
        var host = record.GetProperty("attempts")[0].GetProperty("host").GetString();
        Assert.False(string.IsNullOrEmpty(host));
    }

    [Fact]
    public async Task An_attempt_after_a_restart_stays_in_the_trace_of_its_enqueue()
    {
        var settings = new Dictionary<string, string>
        {
            ["TaskFlow:Storage:Provider"] = "Sqlite",
            ["TaskFlow:Storage:ConnectionString"] = _dir.Sqlite(),
            ["TaskFlow:ShutdownGrace"] = "00:00:01",
        };
        string taskId, traceId;
        var first = new TelemetryNode(settings);
        await using (first)
        {
            using var http = first.CreateClient();
            var accepted = await first.EnqueueAsync(http, new { name = "send_welcome_email", args = new { address = "later@example.com" }, delaySeconds = 8 });
            taskId = accepted.GetProperty("taskId").GetString()!;
            traceId = accepted.GetProperty("traceId").GetString()!;
        }
        Assert.DoesNotContain(SpansOf(traceId), s => s.Kind == ActivityKind.Consumer);

        await using var second = new TelemetryNode(settings);
        using var after = second.CreateClient();
        var record = await TelemetryNode.WaitForStatusAsync(after, taskId, "success");

        Assert.Equal(traceId, record.GetProperty("traceId").GetString());
        var spans = await Eventually.WaitAsync(() => Task.FromResult(SpansOf(traceId)),
            s => s.Any(a => a.Kind == ActivityKind.Consumer), TelemetryNode.Patience, "the attempt's span after the restart");
        var enqueue = Assert.Single(spans, s => s.Kind == ActivityKind.Producer);
        var attempt = Assert.Single(spans, s => s.Kind == ActivityKind.Consumer);
        Assert.Equal(enqueue.SpanId, attempt.ParentSpanId);
        Assert.Equal("success", attempt.GetTagItem("outcome"));
    }

    [Fact]
    public async Task Each_occurrence_of_a_schedule_starts_a_trace_of_its_own_that_its_attempt_joins()
    {
        await using var node = new TelemetryNode(new Dictionary<string, string> { ["TaskFlow:Demo:HeartbeatSeconds"] = "1" });
        using var http = node.CreateClient();

        var beats = await Eventually.WaitAsync(async () =>
            {
                var page = await System.Net.Http.Json.HttpClientJsonExtensions.GetFromJsonAsync<System.Text.Json.JsonElement>(http, "/tasks?name=heartbeat&status=success");
                return page.GetProperty("items").EnumerateArray().ToList();
            },
            items => items.Count >= 2, TelemetryNode.Patience, "two heartbeats to succeed");

        var traceIds = beats.Select(b => b.GetProperty("traceId").GetString()!).ToList();
        Assert.Equal(traceIds.Count, traceIds.Distinct().Count());
        foreach (var traceId in traceIds.Take(2))
        {
            var spans = await Eventually.WaitAsync(() => Task.FromResult(SpansOf(traceId)),
                s => s.Any(a => a.Kind == ActivityKind.Consumer), TelemetryNode.Patience, "the heartbeat's attempt span");
            var fire = Assert.Single(spans, s => s.Kind == ActivityKind.Producer);
            Assert.Equal(default, fire.ParentSpanId);
            Assert.Equal("fire", fire.GetTagItem("messaging.operation.name"));
            Assert.Equal("heartbeat", fire.GetTagItem("taskflow.schedule.name"));
            Assert.Equal(fire.SpanId, Assert.Single(spans, s => s.Kind == ActivityKind.Consumer).ParentSpanId);
        }
    }
}
