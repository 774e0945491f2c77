using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskFlow.Grains;

namespace TaskFlow.Streaming;

/// <summary>This API node's listener of the cluster's status changes: it keeps a subscription with the events hub
/// (renewed every 20 s, so a moved hub finds it again) and copies each batch to every open stream.</summary>
internal sealed partial class TaskEventsBroadcaster(IGrainFactory grains, ILogger<TaskEventsBroadcaster> logger)
    : BackgroundService, ITaskEventsObserver
{
    private static readonly TimeSpan Renewal = TimeSpan.FromSeconds(20);
    private readonly ConcurrentDictionary<Channel<TaskRecord>, byte> _streams = new();
    private ITaskEventsObserver? _reference;

    /// <summary>Opens a stream of changes; dispose the lease to close it. A slow reader loses the oldest changes, never
    /// the process's memory.</summary>
    public (ChannelReader<TaskRecord> Reader, IDisposable Lease) Open()
    {
        var channel = Channel.CreateBounded<TaskRecord>(new BoundedChannelOptions(10_000) { FullMode = BoundedChannelFullMode.DropOldest });
        _streams[channel] = 0;
        return (channel.Reader, new Lease(() => _streams.TryRemove(channel, out _)));
    }

    public Task OnTaskEvents(ImmutableArray<TaskRecord> changes)
    {
        foreach (var stream in _streams.Keys)
        {
            foreach (var change in changes) stream.Writer.TryWrite(change);
        }
        return Task.CompletedTask;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _reference = grains.CreateObjectReference<ITaskEventsObserver>(this);
        while (!stoppingToken.IsCancellationRequested)
        {
            var wait = Renewal;
            try
            {
                await grains.GetGrain<ITaskEventsGrain>(0).Subscribe(_reference).WaitAsync(TimeSpan.FromSeconds(10), stoppingToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !stoppingToken.IsCancellationRequested)
            {
                // The cluster is not reachable yet (starting, or a silo just died): try again soon.
                LogSubscribeFailed(logger, ex);
                wait = TimeSpan.FromSeconds(1);
            }
            try
            {
                await Task.Delay(wait, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    [LoggerMessage(EventId = 60, Level = LogLevel.Debug, Message = "Could not subscribe to the task events hub; retrying")]
    private static partial void LogSubscribeFailed(ILogger logger, Exception exception);

    private sealed class Lease(Action release) : IDisposable
    {
        public void Dispose() => release();
    }
}
