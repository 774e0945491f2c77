using System.Net;
using System.Text;
using TaskFlow.Hosting;

namespace TaskFlow.Silo;

/// <summary>Serves <c>/health/live</c> and <c>/health/ready</c> on <c>TaskFlow:Cluster:HealthPort</c> for container
/// probes. A standalone silo has no web server of its own, and two plain-text routes do not warrant one, so this is the
/// framework's <see cref="HttpListener"/>.</summary>
internal sealed class HealthEndpoint(int port, IServiceProvider services, ILogger<HealthEndpoint> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var listener = new HttpListener();
        listener.Prefixes.Add($"http://+:{port}/");
        listener.Start();
        HealthLog.Listening(logger, port);
        await using var stop = stoppingToken.Register(listener.Stop);
        while (!stoppingToken.IsCancellationRequested)
        {
            HttpListenerContext context;
            try
            {
                context = await listener.GetContextAsync();
            }
            catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException && stoppingToken.IsCancellationRequested)
            {
                return;
            }
            Answer(context);
        }
    }

    private void Answer(HttpListenerContext context)
    {
        var (status, text) = (context.Request.HttpMethod, context.Request.Url?.AbsolutePath) switch
        {
            ("GET" or "HEAD", "/health/live") => (200, "Healthy"),
            ("GET" or "HEAD", "/health/ready") => Readiness(),
            ("GET" or "HEAD", _) => (404, "Not found"),
            _ => (405, "Method not allowed"),
        };
        var response = context.Response;
        response.StatusCode = status;
        response.ContentType = "text/plain; charset=utf-8";
        var body = Encoding.UTF8.GetBytes(text);
        response.ContentLength64 = body.Length;
        if (context.Request.HttpMethod != "HEAD") response.OutputStream.Write(body);
        response.Close();
    }

    private (int, string) Readiness()
    {
        // The silo's services exist only once the host has built them; until the silo is up it is simply not ready.
        var health = services.GetService<SiloHealth>();
        var reason = health is null ? "the silo is starting" : health.NotReadyBecause();
        return reason is null ? (200, "Healthy") : (503, "Unhealthy: " + reason);
    }
}

internal static partial class HealthLog
{
    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Health endpoints on port {Port}: /health/live, /health/ready")]
    public static partial void Listening(ILogger logger, int port);
}
