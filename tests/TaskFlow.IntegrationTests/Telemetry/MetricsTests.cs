using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace TaskFlow.IntegrationTests.Telemetry;

/// <summary>Every TaskFlow instrument, heard by a <see cref="MeterListener"/> on the real host's own Meter (other hosts
/// in this process have Meters of their own).</summary>
public sealed class MetricsTests : IDisposable
{
    private readonly ConcurrentBag<(string Instrument, double Value, Dictionary<string, object?> Tags)> _measurements = [];
    private readonly MeterListener _listener = new();
    private readonly TelemetryNode _node = new(new Dictionary<string, string> { ["TaskFlow:MaxConcurrency"] = "1" });

    public MetricsTests()
    {
        var meters = _node.Services.GetRequiredService<IMeterFactory>();
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == TaskFlowTelemetry.MeterName && ReferenceEquals(instrument.Meter.Scope, meters))
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        _listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        _listener.Start();
    }

    public void Dispose()
    {
        _listener.Dispose();
        _node.Dispose();
    }

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags) =>
        _measurements.Add((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value)));

    private List<(double Value, Dictionary<string, object?> Tags)> Of(string instrument) =>
        [.. _measurements.Where(m => m.Instrument == instrument).Select(m => (m.Value, m.Tags))];

    private static bool Has(Dictionary<string, object?> tags, string key, object value) => tags.TryGetValue(key, out var v) && Equals(v, value);

    [Fact]
    public async Task Every_instrument_reports_with_the_task_name_and_its_attribute()
    {
        using var http = _node.CreateClient();
        // One slot: the sleeper holds it while two emails wait behind it at priority 5.
        var sleeper = await _node.EnqueueAsync(http, new { name = "sleep", args = new { ms = 3_000 } });
        await TelemetryNode.WaitForStatusAsync(http, sleeper.GetProperty("taskId").GetString()!, "running");
        var emails = new[]
        {
            await _node.EnqueueAsync(http, new { name = "send_welcome_email", args = new { address = "m1@example.com" }, priority = 5 }),
            await _node.EnqueueAsync(http, new { name = "send_welcome_email", args = new { address = "m2@example.com" }, priority = 5 }),
        };

        // The gauges read the dispatcher's queue as of its last tick (every second).
        await Infrastructure.Eventually.WaitAsync(() =>
            {
                _listener.RecordObservableInstruments();
                return Task.FromResult(Of("taskflow.tasks.queued").Any(m => m.Value == 2 && Has(m.Tags, "task.name", "send_welcome_email") && Has(m.Tags, "priority", 5))
                    && Of("taskflow.tasks.running").Any(m => m.Value == 1 && Has(m.Tags, "task.name", "sleep")));
            }, seen => seen, TelemetryNode.Patience, "the queued and running gauges");

        var failing = await _node.EnqueueAsync(http, new { name = "fail", args = new { message = "boom" } });
        foreach (var task in emails.Append(sleeper))
            await TelemetryNode.WaitForStatusAsync(http, task.GetProperty("taskId").GetString()!, "success");
        await TelemetryNode.WaitForStatusAsync(http, failing.GetProperty("taskId").GetString()!, "failed");

        Assert.Equal(2, Of("taskflow.tasks.enqueued").Where(m => Has(m.Tags, "task.name", "send_welcome_email")).Sum(m => m.Value));
        Assert.Equal(1, Of("taskflow.tasks.enqueued").Where(m => Has(m.Tags, "task.name", "fail")).Sum(m => m.Value));
        Assert.Equal(2, Of("taskflow.tasks.finished").Where(m => Has(m.Tags, "task.name", "send_welcome_email") && Has(m.Tags, "status", "success")).Sum(m => m.Value));
        Assert.Equal(1, Of("taskflow.tasks.finished").Where(m => Has(m.Tags, "task.name", "fail") && Has(m.Tags, "status", "failed")).Sum(m => m.Value));
        Assert.Equal(1, Of("taskflow.task.attempts").Where(m => Has(m.Tags, "task.name", "sleep") && Has(m.Tags, "outcome", "success")).Sum(m => m.Value));
        Assert.Equal(1, Of("taskflow.task.attempts").Where(m => Has(m.Tags, "task.name", "fail") && Has(m.Tags, "outcome", "failure")).Sum(m => m.Value));

        var slept = Assert.Single(Of("taskflow.task.duration"), m => Has(m.Tags, "task.name", "sleep"));
        Assert.InRange(slept.Value, 2.9, 60);
        Assert.True(Has(slept.Tags, "outcome", "success"));
        // The emails waited behind the three-second sleeper for their first start.
        var waits = Of("taskflow.task.wait").Where(m => Has(m.Tags, "task.name", "send_welcome_email")).ToList();
        Assert.Equal(2, waits.Count);
        Assert.All(waits, w => Assert.InRange(w.Value, 1.0, 60));
    }
}
