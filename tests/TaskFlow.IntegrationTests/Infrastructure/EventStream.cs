using System.Text;
using System.Text.Json;
using System.Threading.Channels;

namespace TaskFlow.IntegrationTests.Infrastructure;

/// <summary>A subscriber to <c>GET /tasks/stream</c>: reads server-sent events in the background and keeps each
/// <c>event: task</c> with the time it arrived.</summary>
public sealed class EventStream : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Channel<TaskEvent> _events = Channel.CreateUnbounded<TaskEvent>();
    private readonly Task _reading;

    private EventStream(Stream body)
    {
        _reading = Task.Run(() => ReadAsync(body));
    }

    public sealed record TaskEvent(Guid TaskId, string Status, JsonElement Record, DateTimeOffset ReceivedAt);

    public static async Task<EventStream> OpenAsync(HttpClient http, string path = "/tasks/stream")
    {
        var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        return new EventStream(await response.Content.ReadAsStreamAsync());
    }

    /// <summary>Task events as they arrive; ends with an error if the stream breaks.</summary>
    public ChannelReader<TaskEvent> Events => _events.Reader;

    private async Task ReadAsync(Stream body)
    {
        try
        {
            using var reader = new StreamReader(body, Encoding.UTF8);
            string? type = null;
            while (await reader.ReadLineAsync(_stop.Token) is { } line)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal)) type = line["event: ".Length..];
                else if (line.StartsWith("data: ", StringComparison.Ordinal) && type == "task")
                {
                    var record = JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
                    await _events.Writer.WriteAsync(new TaskEvent(record.GetProperty("taskId").GetGuid(),
                        record.GetProperty("status").GetString()!, record, DateTimeOffset.UtcNow), _stop.Token);
                }
                else if (line.Length == 0) type = null;
            }
            _events.Writer.TryComplete(new InvalidOperationException("The stream ended."));
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            _events.Writer.TryComplete();
        }
        catch (Exception ex)
        {
            _events.Writer.TryComplete(ex);
        }
        finally
        {
            await body.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _reading;
        _stop.Dispose();
    }
}
