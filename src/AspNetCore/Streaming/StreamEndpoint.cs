using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using TaskFlow.Endpoints;
using TaskFlow.Grains;

namespace TaskFlow.Streaming;

/// <summary><c>GET /tasks/stream</c>: server-sent events. Headers go out at once; then <c>event: task</c> for every
/// status change in the cluster, <c>event: metrics</c> every 5 s, and a comment heartbeat every 15 s. Written frame by
/// frame because ASP.NET Core 10's <c>Results.ServerSentEvents</c> cannot interleave comment heartbeats.</summary>
internal static class StreamEndpoint
{
    private static readonly TimeSpan MetricsPeriod = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan HeartbeatPeriod = TimeSpan.FromSeconds(15);

    public static async Task StreamAsync(HttpContext http, TaskEventsBroadcaster events, IGrainFactory grains,
        IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions> json, TimeProvider time)
    {
        var cancellation = http.RequestAborted;
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache,no-store";
        response.Headers["X-Accel-Buffering"] = "no";
        if (HttpMethods.IsHead(http.Request.Method)) return;   // the headers a GET would get, and no stream
        await response.WriteAsync(": connected\n\n", cancellation);
        await response.Body.FlushAsync(cancellation);

        var (reader, lease) = events.Open();
        using (lease)
        {
            var options = json.Value.SerializerOptions;
            var nextMetrics = time.GetUtcNow();
            var nextHeartbeat = time.GetUtcNow() + HeartbeatPeriod;
            try
            {
                while (!cancellation.IsCancellationRequested)
                {
                    var now = time.GetUtcNow();
                    if (now >= nextMetrics)
                    {
                        nextMetrics = now + MetricsPeriod;
                        try
                        {
                            var metrics = await grains.GetGrain<ITaskQueryGrain>(0).Metrics().WaitAsync(TimeSpan.FromSeconds(4), cancellation);
                            await WriteEventAsync(response, "metrics", JsonSerializer.Serialize(MetricsResponse.From(metrics), options), cancellation);
                        }
                        catch (Exception ex) when (TaskFlowProblems.IsUnavailable(ex) && !cancellation.IsCancellationRequested)
                        {
                            // Metrics are skipped while the store is away; task events keep flowing.
                        }
                    }
                    if (now >= nextHeartbeat)
                    {
                        nextHeartbeat = now + HeartbeatPeriod;
                        await response.WriteAsync(": heartbeat\n\n", cancellation);
                        await response.Body.FlushAsync(cancellation);
                    }

                    var until = (nextMetrics < nextHeartbeat ? nextMetrics : nextHeartbeat) - time.GetUtcNow();
                    using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
                    wait.CancelAfter(until > TimeSpan.Zero ? until : TimeSpan.Zero);
                    try
                    {
                        if (!await reader.WaitToReadAsync(wait.Token)) return;
                    }
                    catch (OperationCanceledException) when (!cancellation.IsCancellationRequested)
                    {
                        continue;
                    }
                    while (reader.TryRead(out var change))
                        await WriteEventAsync(response, "task", JsonSerializer.Serialize(TaskResponse.From(change, detail: false), options), cancellation, flush: false);
                    await response.Body.FlushAsync(cancellation);
                }
            }
            catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
            {
                // The client went away.
            }
        }
    }

    private static async Task WriteEventAsync(HttpResponse response, string type, string data, CancellationToken cancellation, bool flush = true)
    {
        var frame = new StringBuilder().Append("event: ").Append(type).Append('\n').Append("data: ").Append(data).Append("\n\n").ToString();
        await response.WriteAsync(frame, cancellation);
        if (flush) await response.Body.FlushAsync(cancellation);
    }
}
