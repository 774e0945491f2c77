using System.Net;
using System.Text;
using TaskFlow.Hosting;
using TaskFlow.Storage;

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
            await AnswerAsync(context, stoppingToken);
        }
    }

    private async Task AnswerAsync(HttpListenerContext context, CancellationToken stoppingToken)
    {
        var (status, text) = (context.Request.HttpMethod, context.Request.Url?.AbsolutePath) switch
        {
            ("GET" or "HEAD", "/health/live") => (200, "Healthy"),
            ("GET" or "HEAD", "/health/ready") => await ReadinessAsync(stoppingToken),
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

    private async Task<(int, string)> ReadinessAsync(CancellationToken stoppingToken)
    {
        // The silo's services exist only once the host has built them; until the silo is up it is simply not ready.
        var health = services.GetService<SiloHealth>();
        var reason = health is null ? "the silo is starting" : health.NotReadyBecause() ?? await StoreUnreachableAsync(stoppingToken);
        return reason is null ? (200, "Healthy") : (503, "Unhealthy: " + reason);
    }

    /// <summary>Null when a one-row history query answers within the limit; otherwise why the store is not ready.</summary>
    private async Task<string?> StoreUnreachableAsync(CancellationToken stoppingToken)
    {
        if (services.GetService<ITaskStore>() is not { } store) return null;
        try
        {
            await store.QueryAsync(new TaskFlow.Grains.TaskQuery { Limit = 1 }, stoppingToken).WaitAsync(StoreLimit, stoppingToken);
            return null;
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            HealthLog.StoreUnreachable(logger, ex.Message);
            return "the task store cannot be reached";
        }
    }

    private static readonly TimeSpan StoreLimit = TimeSpan.FromSeconds(5);
}

internal static partial class HealthLog
{
    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Health endpoints on port {Port}: /health/live, /health/ready")]
    public static partial void Listening(ILogger logger, int port);

    [LoggerMessage(EventId = 11, Level = LogLevel.Warning, Message = "Not ready: the task store cannot be reached ({Reason})")]
    public static partial void StoreUnreachable(ILogger logger, string reason);
}
