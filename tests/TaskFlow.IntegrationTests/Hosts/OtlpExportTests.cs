using System.Text.Json;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;
using TaskFlow.Hosts;
using TaskFlow.IntegrationTests.Categories;
using TaskFlow.IntegrationTests.Http;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Hosts;

/// <summary>The shipped hosts export over OTLP exactly when OTEL_EXPORTER_OTLP_ENDPOINT is set.</summary>
[Trait(TestCategory.Name, TestCategory.Process)]
public sealed class OtlpExportTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);
    private readonly TempDirectory _directory = new();

    public void Dispose() => _directory.Dispose();

    private sealed class ApiWith(IReadOnlyDictionary<string, string> settings) : ApiFactory
    {
        protected override IReadOnlyDictionary<string, string> Settings => settings;
    }

    [Fact]
    public async Task Without_an_endpoint_the_api_registers_no_OpenTelemetry_provider()
    {
        await using var api = new ApiWith(new Dictionary<string, string>());
        using var http = api.CreateClient();   // builds and starts the host

        Assert.Null(api.Services.GetService<TracerProvider>());
        Assert.Null(api.Services.GetService<MeterProvider>());
        Assert.DoesNotContain(api.Services.GetServices<ILoggerProvider>(), p => p is OpenTelemetryLoggerProvider);
    }

    [Fact]
    public async Task With_an_endpoint_the_api_registers_traces_metrics_and_logs_named_taskflow_api()
    {
        await using var api = new ApiWith(new Dictionary<string, string>
        {
            [OtlpExport.EndpointVariable] = $"http://127.0.0.1:{FreePort.Next()}",
        });
        using var http = api.CreateClient();

        var tracing = api.Services.GetService<TracerProvider>();
        Assert.NotNull(tracing);
        Assert.NotNull(api.Services.GetService<MeterProvider>());
        Assert.Contains(api.Services.GetServices<ILoggerProvider>(), p => p is OpenTelemetryLoggerProvider);
        Assert.Contains(tracing.GetResource().Attributes, a => a.Key == "service.name" && (string)a.Value == "taskflow-api");
    }

    [Theory]
    [InlineData("OTEL_SERVICE_NAME", "billing-worker", "billing-worker")]
    [InlineData("OTEL_RESOURCE_ATTRIBUTES", "service.name=from-attributes,team=ops", "from-attributes")]
    public void The_standard_variables_name_the_service(string variable, string value, string expected)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration[OtlpExport.EndpointVariable] = "http://127.0.0.1:4318";
        builder.Configuration[variable] = value;

        Assert.True(builder.AddOtlpExportWhenConfigured("taskflow-silo"));
        using var host = builder.Build();

        var resource = host.Services.GetRequiredService<TracerProvider>().GetResource();
        Assert.Contains(resource.Attributes, a => a.Key == "service.name" && (string)a.Value == expected);
    }

    [Fact]
    public void The_README_lines_export_TaskFlow()
    {
        var builder = Host.CreateApplicationBuilder();
        // As in README.md, "Telemetry":
        builder.Services.AddOpenTelemetry()
            .WithTracing(t => t.AddSource(TaskFlowTelemetry.SourceName))
            .WithMetrics(m => m.AddMeter(TaskFlowTelemetry.MeterName))
            .UseOtlpExporter();
        using var host = builder.Build();

        Assert.NotNull(host.Services.GetService<TracerProvider>());
        Assert.NotNull(host.Services.GetService<MeterProvider>());
    }

    [Fact]
    public void Without_an_endpoint_the_shared_wiring_registers_nothing()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration[OtlpExport.EndpointVariable] = "";
        var before = builder.Services.Count;

        Assert.False(builder.AddOtlpExportWhenConfigured("taskflow-silo"));
        Assert.Equal(before, builder.Services.Count);
    }

    /// <summary>As a user turns it on: the built Api, the standard variables, a collector on the other end.</summary>
    [Fact]
    public async Task The_api_process_sends_the_enqueue_and_attempt_spans_and_TaskFlow_metrics_to_the_collector()
    {
        await using var collector = await OtlpReceiver.StartAsync();
        await using var api = await ApiHost.StartAsync(new Dictionary<string, string>
        {
            ["TaskFlow__Storage__ConnectionString"] = _directory.Sqlite(),
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
        });

        var taskId = await api.EnqueueAsync("send_welcome_email", new { address = "a@example.com" });
        await Eventually.WaitAsync(() => api.Http.GetFromJsonAsync<JsonElement>($"/tasks/{taskId}"),
            r => r.GetProperty("status").GetString() == "success", Patience, "the task to succeed");

        await Eventually.WaitAsync(() => Task.FromResult(
                collector.Received("traces", "taskflow-api", "POST /tasks")
                && collector.ReceivedAll("traces", "send send_welcome_email", "process send_welcome_email", taskId.ToString())
                && collector.Received("metrics", "taskflow-api", "taskflow.tasks.finished", "http.server.request.duration")
                && collector.Received("metrics", "dotnet.gc.collections")
                && collector.Received("logs", "taskflow-api", "Application started")),
            done => done, Patience, "spans, metrics and logs at the collector (" + collector.Summary + ")");
    }

    [Fact]
    public async Task The_silo_process_sends_its_spans_and_metrics_to_the_collector()
    {
        await using var collector = await OtlpReceiver.StartAsync();
        await using var silo = HostProcess.Start("Silo", new Dictionary<string, string>
        {
            ["TaskFlow__Cluster__SiloPort"] = HostProcess.Port(FreePort.Next()),
            ["TaskFlow__Cluster__GatewayPort"] = HostProcess.Port(FreePort.Next()),
            ["TaskFlow__Storage__ConnectionString"] = _directory.Sqlite(),
            ["TaskFlow__Demo__HeartbeatSeconds"] = "1",   // a schedule, so the silo runs tasks by itself
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
        });

        await Eventually.WaitAsync(() => Task.FromResult(silo.HasExited
                || (collector.Received("traces", "taskflow-silo", "process heartbeat")
                    && collector.Received("metrics", "taskflow-silo", "taskflow.tasks.finished", "dotnet.gc.collections"))),
            done => done, Patience, "the silo's spans and metrics at the collector (" + collector.Summary + ")");
        Assert.False(silo.HasExited, silo.Output);
    }
}
