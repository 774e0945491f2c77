using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace TaskFlow.Hosts;

/// <summary>The shipped hosts' OpenTelemetry export (compiled into both the Api and the Silo): TaskFlow's spans and
/// metrics, the .NET runtime's metrics and the logs, over OTLP, only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
/// Everything else comes from the standard OTEL_* variables, which the OpenTelemetry SDK reads itself
/// (<c>OTEL_EXPORTER_OTLP_PROTOCOL</c>, <c>OTEL_SERVICE_NAME</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>,
/// <c>OTEL_METRIC_EXPORT_INTERVAL</c>, the per-signal endpoints and headers, …).</summary>
internal static class OtlpExport
{
    public const string EndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>Registers the export when the host's configuration (environment variables included) has
    /// <see cref="EndpointVariable"/>; otherwise registers nothing and returns false.</summary>
    /// <param name="defaultServiceName">service.name unless OTEL_SERVICE_NAME or OTEL_RESOURCE_ATTRIBUTES names one.</param>
    /// <param name="tracing">the host's own instrumentation (the Api adds ASP.NET Core's).</param>
    /// <param name="metrics">the host's own instruments.</param>
    public static bool AddOtlpExportWhenConfigured(this IHostApplicationBuilder builder, string defaultServiceName,
        Action<TracerProviderBuilder>? tracing = null, Action<MeterProviderBuilder>? metrics = null)
    {
        var configuration = builder.Configuration;
        if (string.IsNullOrWhiteSpace(configuration[EndpointVariable])) return false;

        var serviceNamed = !string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"])
            || (configuration["OTEL_RESOURCE_ATTRIBUTES"] ?? "").Split(',').Any(a => a.Trim().StartsWith("service.name=", StringComparison.Ordinal));
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                if (!serviceNamed) resource.AddService(defaultServiceName);
            })
            .WithTracing(t =>
            {
                t.AddSource(TaskFlowTelemetry.SourceName);
                tracing?.Invoke(t);
            })
            .WithMetrics(m =>
            {
                m.AddMeter(TaskFlowTelemetry.MeterName).AddRuntimeInstrumentation();
                metrics?.Invoke(m);
            })
            // Scopes carry a handler's task id, name and attempt.
            .WithLogging(configureBuilder: null, configureOptions: o => o.IncludeScopes = true)
            .UseOtlpExporter();
        return true;
    }
}
