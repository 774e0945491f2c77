using System.Diagnostics;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace TaskFlow.Benchmarks;

/// <summary>TaskFlow's telemetry listened to as an app would with the OpenTelemetry SDK: every span sampled and handed to
/// a processor (which only counts, so no exporter's I/O is measured), every instrument aggregated and read each second.
/// Disposing it stops the listening, so rounds with and without it alternate in one process.</summary>
internal sealed class TelemetryListening : IDisposable
{
    private readonly TracerProvider _tracing;
    private readonly MeterProvider _metrics;
    private readonly CountingProcessor _spans = new();
    private readonly List<Metric> _exported = [];

    public TelemetryListening()
    {
        _tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(TaskFlowTelemetry.SourceName)
            .SetSampler(new AlwaysOnSampler())
            .AddProcessor(_spans)
            .Build()!;
        _metrics = Sdk.CreateMeterProviderBuilder()
            .AddMeter(TaskFlowTelemetry.MeterName)
            .AddInMemoryExporter(_exported, o => o.PeriodicExportingMetricReaderOptions.ExportIntervalMilliseconds = 1_000)
            .Build()!;
    }

    public long Spans => _spans.Count;

    public void Dispose()
    {
        _tracing.Dispose();
        _metrics.Dispose();
    }

    private sealed class CountingProcessor : BaseProcessor<Activity>
    {
        private long _count;

        public long Count => Interlocked.Read(ref _count);

        public override void OnEnd(Activity data) => Interlocked.Increment(ref _count);
    }
}
