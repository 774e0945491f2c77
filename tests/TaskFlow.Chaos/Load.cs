using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace TaskFlow.Chaos;

/// <summary>Enqueues <c>--count</c> chaos_probe tasks through <c>POST /tasks</c>, evenly spread over <c>--seconds</c>,
/// each request on its own (at most 64 at once), and writes one line per request to <c>--out</c>:
/// index, sent (unix ms), latency (ms), HTTP status (0: no answer), task id or error.</summary>
internal static class Load
{
    public static async Task<int> RunAsync(Arguments args)
    {
        var api = new Uri(args["api"]);
        var count = args.Int("count");
        var seconds = args.Double("seconds");
        var output = args["out"];
        using var http = new HttpClient { BaseAddress = api, Timeout = TimeSpan.FromSeconds(60) };
        using var gate = new SemaphoreSlim(64);
        var lines = new string[count];
        var began = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        var requests = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            var due = TimeSpan.FromSeconds(seconds * i / count);
            if (due > clock.Elapsed) await Task.Delay(due - clock.Elapsed);
            await gate.WaitAsync();
            var index = i;
            requests.Add(Task.Run(async () =>
            {
                try
                {
                    lines[index] = await EnqueueAsync(http, index);
                }
                finally
                {
                    gate.Release();
                }
            }));
        }
        await Task.WhenAll(requests);
        var ended = DateTimeOffset.UtcNow;
        await File.WriteAllLinesAsync(output, lines);
        await File.WriteAllTextAsync(output + ".window",
            string.Create(CultureInfo.InvariantCulture, $"{began.ToUnixTimeMilliseconds()} {ended.ToUnixTimeMilliseconds()}\n"));
        Console.WriteLine($"load: {count} requests in {(ended - began).TotalSeconds:F1} s");
        return 0;
    }

    private static async Task<string> EnqueueAsync(HttpClient http, int index)
    {
        var body = "{\"name\":\"" + ChaosTasks.Probe + "\",\"args\":{\"sleepMs\":" + (10 + index % 40).ToString(CultureInfo.InvariantCulture) + ",\"batch\":\"load\"}}";
        var sent = DateTimeOffset.UtcNow;
        var clock = Stopwatch.StartNew();
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await http.PostAsync("/tasks", content);
            var text = await response.Content.ReadAsStringAsync();
            var latency = clock.Elapsed.TotalMilliseconds;
            var code = (int)response.StatusCode;
            string outcome;
            if (response.IsSuccessStatusCode)
            {
                using var json = JsonDocument.Parse(text);
                outcome = json.RootElement.GetProperty("taskId").GetString()!;
            }
            else
            {
                outcome = "error:" + OneLine(text);
            }
            return string.Create(CultureInfo.InvariantCulture, $"{index}\t{sent.ToUnixTimeMilliseconds()}\t{latency:F0}\t{code}\t{outcome}");
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or JsonException or KeyNotFoundException)
        {
            var latency = clock.Elapsed.TotalMilliseconds;
            return string.Create(CultureInfo.InvariantCulture, $"{index}\t{sent.ToUnixTimeMilliseconds()}\t{latency:F0}\t0\terror:{ex.GetType().Name}: {OneLine(ex.Message)}");
        }
    }

    internal static string OneLine(string text)
    {
        var flat = text.Replace('\t', ' ').Replace('\n', ' ').Replace('\r', ' ');
        return flat.Length > 300 ? flat[..300] : flat;
    }
}
