using System.Collections.Concurrent;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TaskFlow.IntegrationTests.Infrastructure;

/// <summary>A stand-in OpenTelemetry collector: accepts OTLP over HTTP (<c>POST /v1/traces</c>, <c>/v1/metrics</c>,
/// <c>/v1/logs</c>, http/protobuf) on a loopback port and keeps each body. Span, metric, attribute and service names
/// are plain strings in the protobuf bytes, so a test looks for them without decoding.</summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Signal, byte[] Body)> _received = new();

    private OtlpReceiver(WebApplication app)
    {
        _app = app;
    }

    /// <summary>The value for OTEL_EXPORTER_OTLP_ENDPOINT.</summary>
    public string Endpoint { get; private set; } = "";

    public static async Task<OtlpReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new OtlpReceiver(app);
        app.MapPost("/v1/{signal}", async (string signal, HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            receiver._received.Enqueue((signal, body.ToArray()));
            return Results.Bytes([], "application/x-protobuf");   // an empty Export*ServiceResponse: all accepted
        });
        await app.StartAsync();
        receiver.Endpoint = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return receiver;
    }

    /// <summary>Whether some body of <paramref name="signal"/> (traces, metrics, logs) holds every one of the texts.</summary>
    public bool Received(string signal, params string[] texts) =>
        _received.Where(r => r.Signal == signal).Any(r => texts.All(t => Contains(r.Body, t)));

    /// <summary>Whether the texts occur across all the bodies of <paramref name="signal"/> received so far.</summary>
    public bool ReceivedAll(string signal, params string[] texts) =>
        texts.All(t => _received.Any(r => r.Signal == signal && Contains(r.Body, t)));

    public string Summary => string.Join(", ", _received.GroupBy(r => r.Signal).Select(g => $"{g.Key}: {g.Count()}"));

    private static bool Contains(byte[] body, string text) => body.AsSpan().IndexOf(Encoding.UTF8.GetBytes(text)) >= 0;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
