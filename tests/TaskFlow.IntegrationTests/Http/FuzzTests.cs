using System.Globalization;
using System.Net;
using System.Text;
using System.Text.RegularExpressions;

namespace TaskFlow.IntegrationTests.Http;

/// <summary>A seeded fuzz run over every route of <c>MapTaskFlow</c>'s group against the real host: every query
/// parameter, path segment and body shape drawn from values that have broken APIs before (huge numbers, spans beyond
/// any date, malformed cursors, wrong JSON types, deep nesting, wrong content types). No answer may be a 5xx, and no
/// error may carry a stack trace or an exception's type. The host is this class's own (history deletes and replays
/// stay out of the shared one). Set <c>TASKFLOW_FUZZ_SEED</c> to replay another run.</summary>
public sealed partial class FuzzTests(ApiFactory factory, ITestOutputHelper output) : IClassFixture<ApiFactory>
{
    private const int Requests = 600;

    private static readonly string[] Texts =
    [
        "", " ", "x", "-1", "0", "1", "500", "501", "2147483648", "-2147483649", "99999999999999999999", "1e400", "NaN", "Infinity",
        "99999999999999999999d", "99999999999999999999w", "9999999999999.5s", "36500d", "36501d", "1.5h", "30m", "7d", "0s", "-5m",
        "2026-11-24T10:30:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59-14:00", "2026-13-45", "now",
        "pending", "success,failed", "RUNNING", "1,2", "api", "scheduled", "replay", "%", "%00", "\u0000", "<script>alert(1)</script>",
        "'; DROP TABLE tasks; --", "é漢字🙂", "../../etc/passwd", "{}", "[]", "null", "true", new string('9', 400), new string('a', 4000),
        "00000000-0000-0000-0000-000000000000", "5b0e7c1a-0000-4000-8000-000000000001", "send_welcome_email", "sync_exchange_rates",
    ];

    private static readonly string[] Names =
        ["send_welcome_email", "send_otp", "no_such_task", "", " ", "Send_Welcome_Email", "x", "é漢字", new string('n', 1000), "../x"];

    private static readonly string[] Schedules = ["sync_exchange_rates", "send_daily_digest", "no_such_schedule", "%2e%2e", "é", new string('s', 600)];

    private static readonly string[] ContentTypes =
        ["application/json", "application/json; charset=utf-8", "text/plain", "application/x-www-form-urlencoded", "application/xml", "application/json; charset=utf-16", ""];

    [Fact]
    public async Task No_input_gets_a_5xx_or_a_stack_trace()
    {
        var seed = int.TryParse(Environment.GetEnvironmentVariable("TASKFLOW_FUZZ_SEED"), CultureInfo.InvariantCulture, out var s) ? s : 1414;
        var random = new Random(seed);
        using var http = factory.CreateClient(new() { AllowAutoRedirect = false });
        http.Timeout = TimeSpan.FromSeconds(60);
        var failures = new List<string>();
        var byStatus = new SortedDictionary<int, int>();
        var routes = new HashSet<string>();

        for (var i = 0; i < Requests; i++)
        {
            var (route, request) = Next(random);
            routes.Add(route);
            var sent = request.Content is null ? "" : " " + Cut(await request.Content.ReadAsStringAsync());
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            byStatus[status] = byStatus.GetValueOrDefault(status) + 1;
            var body = route == "GET stream" ? "" : await response.Content.ReadAsStringAsync(timeout.Token);
            var problem = response.Content.Headers.ContentType?.MediaType == "application/problem+json";
            if (status >= 500)
                failures.Add($"#{i} {request.Method} {request.RequestUri}{sent} → {status}: {Cut(body)}");
            else if ((status >= 400 || problem) && StackTrace().IsMatch(body))
                failures.Add($"#{i} {request.Method} {request.RequestUri}{sent} → {status} with a stack trace: {Cut(body)}");
        }

        output.WriteLine($"seed {seed}: {Requests} requests over {routes.Count} routes; " +
                         string.Join(", ", byStatus.Select(p => $"{p.Key}: {p.Value}")));
        foreach (var failure in failures.Take(30)) output.WriteLine(failure);
        Assert.True(failures.Count == 0, $"{failures.Count} answers were a 5xx or carried a stack trace; first: {failures.FirstOrDefault()}");
        Assert.True(routes.Count >= 20, $"the run reached only {routes.Count} routes");
        Assert.True(byStatus.Keys.Any(k => k is >= 200 and < 300) && byStatus.ContainsKey(400), "the run must reach both successes and refusals");
    }

    private static (string Route, HttpRequestMessage Request) Next(Random random)
    {
        string Pick(string[] values) => values[random.Next(values.Length)];
        string Q(params string[] names) => string.Join("&", names.Where(_ => random.Next(3) > 0)
            .Select(n => $"{n}={Uri.EscapeDataString(random.Next(6) == 0 ? Cursor(random) : Pick(Texts))}"));
        string Id() => random.Next(4) switch
        {
            0 => Guid.NewGuid().ToString("D"),
            1 => Guid.NewGuid().ToString("N"),
            // A NUL in a path cannot even be sent through the in-process server (Kestrel refuses it with 400).
            _ => Uri.EscapeDataString(Pick(Texts).Replace("\u0000", "", StringComparison.Ordinal).Replace("%00", "", StringComparison.Ordinal)) is { Length: > 0 } t ? t : "x",
        };
        var method = random.Next(12) == 0 ? "HEAD" : "GET";
        return random.Next(24) switch
        {
            0 => ("GET list", Get(method, $"/tasks?{Q("status", "name", "source", "since", "until", "search", "limit", "cursor")}")),
            1 => ("GET list", Get(method, $"/tasks/?{Q("since", "until", "cursor", "limit")}")),
            2 => ("GET metrics", Get(method, $"/tasks/metrics?{Q("since")}")),
            3 => ("GET registry", Get(method, "/tasks/registry")),
            4 => ("GET schedules", Get(method, "/tasks/schedules")),
            5 => ("GET audit", Get(method, $"/tasks/audit?{Q("limit", "cursor", "since")}")),
            6 => ("GET cluster", Get(method, "/tasks/cluster")),
            7 => ("GET task", Get(method, $"/tasks/{Id()}")),
            8 => ("GET stream", Get("GET", $"/tasks/stream?{Q("since")}")),
            9 => ("GET dashboard", Get(method, $"/tasks/dashboard?{Q("returnUrl")}")),
            10 => ("GET login", Get(method, $"/tasks/dashboard/login?{Q("returnUrl")}")),
            11 => ("GET asset", Get(method, $"/tasks/dashboard/assets/{Pick(["app.js", "app.css", "favicon.svg", "index.html", "nope.js", "..%2fapp.js"])}")),
            12 or 13 or 14 => ("POST enqueue", Send("POST", "/tasks", EnqueueBody(random), random)),
            15 => ("POST cancel", Send("POST", $"/tasks/{Id()}/cancel", random.Next(4) == 0 ? Json(random, 3) : null, random)),
            16 => ("POST retry", Send("POST", $"/tasks/{Id()}/retry", null, random)),
            17 or 18 => ("POST replay", Send("POST", "/tasks/replay", ReplayBody(random), random)),
            19 => ("DELETE history", Send("DELETE", $"/tasks/history?{Q("olderThan")}", null, random)),
            20 => ("POST schedule", Send("POST", $"/tasks/schedules/{Uri.EscapeDataString(Pick(Schedules))}/{Pick(["pause", "resume", "trigger"])}", null, random)),
            21 => ("POST login", Send("POST", "/tasks/dashboard/login", Pick(["username=a&password=b", "", "a=%zz", Json(random, 2)]), random)),
            22 => ("POST logout", Send("POST", "/tasks/dashboard/logout", null, random)),
            _ => ($"{Pick(["PUT", "PATCH", "DELETE", "OPTIONS"])} other",
                Send(Pick(["PUT", "PATCH", "DELETE", "OPTIONS"]), Pick(["/tasks", $"/tasks/{Id()}", "/tasks/metrics", "/tasks/replay"]), Json(random, 2), random)),
        };
    }

    private static HttpRequestMessage Get(string method, string path) => new(new HttpMethod(method), path.TrimEnd('?'));

    private static HttpRequestMessage Send(string method, string path, string? body, Random random)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), path.TrimEnd('?'));
        if (body is null) return request;
        var type = random.Next(4) == 0 ? ContentTypes[random.Next(ContentTypes.Length)] : "application/json";
        request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
        if (type.Length > 0) request.Content.Headers.TryAddWithoutValidation("Content-Type", type);
        return request;
    }

    private static string EnqueueBody(Random random)
    {
        switch (random.Next(10))
        {
            case 0: return Json(random, 4);
            case 1: return new[] { "", "{", "[]", "null", "\"x\"", "{\"name\":", "{\"name\":\"send_otp\",\"args\":{\"phone\":\"1\"}}}",
                new string('[', 5000) + new string(']', 5000), "{\"name\":\"send_otp\",\"name\":\"x\"}", "\ufeff{}" }[random.Next(10)];
            case 2: return "{\"name\":\"send_otp\",\"args\":{\"phone\":\"" + new string('1', 1_100_000) + "\"}}";
        }
        var fields = new List<string>();
        string Pick(string[] values) => values[random.Next(values.Length)];
        if (random.Next(3) == 0) fields.Add("\"name\":\"send_otp\",\"args\":{\"phone\":\"+1555\"}");
        else if (random.Next(8) > 0) fields.Add($"\"name\":{Str(Pick(Names))}");
        if (fields.Count == 0 || !fields[0].Contains("args", StringComparison.Ordinal) && random.Next(8) > 0)
            fields.Add("\"args\":" + Pick(["{\"address\":\"a@b.c\"}", "{\"phone\":\"+1555\"}", "{\"address\":1}", "{}", "[]", "null", "\"x\"",
                "{\"address\":\"a@b.c\",\"extra\":{\"deep\":[1,2,3]}}", "{\"ms\":\"x\"}", Json(random, 3)]));
        if (random.Next(3) == 0) fields.Add("\"priority\":" + Pick(["0", "9", "-1", "2147483648", "1e308", "1.5", "\"high\"", "null", "[]"]));
        if (random.Next(3) == 0) fields.Add("\"idempotencyKey\":" + Pick(["\"k\"", "\"\"", Str(new string('k', 201)), "1", "null", "{}", Str(Guid.NewGuid().ToString())]));
        if (random.Next(3) == 0) fields.Add("\"tags\":" + Pick(["{\"a\":\"b\"}", "{\"a\":1}", "[]", "\"x\"", "null", "{\"\":\"\"}",
            "{" + string.Join(",", Enumerable.Range(0, 60).Select(n => $"\"t{n}\":\"v\"")) + "}", "{" + Str(new string('t', 500)) + ":\"v\"}"]));
        if (random.Next(3) == 0) fields.Add("\"delaySeconds\":" + Pick(["0", "3600", "-5", "1e308", "99999999999", "31622401", "\"x\"", "null", "NaN"]));
        if (random.Next(4) == 0) fields.Add("\"runAt\":" + Pick(["\"2030-01-01T00:00:00Z\"", "\"2001-01-01T00:00:00+02:00\"",
            "\"9999-12-31T23:59:59-14:00\"", "\"0001-01-01T00:00:00+14:00\"", "\"2030-01-01T00:00:00\"", "\"x\"", "0", "null", "[]"]));
        if (random.Next(6) == 0) fields.Add($"\"unknownField\":{Json(random, 2)}");
        return "{" + string.Join(",", fields.OrderBy(_ => random.Next())) + "}";
    }

    private static string ReplayBody(Random random)
    {
        string Pick(string[] values) => values[random.Next(values.Length)];
        var fields = new List<string>();
        switch (random.Next(5))
        {
            case 0:
                return Pick(["", "{", "[]", "null", "{\"taskIds\":\"x\"}", "{\"taskIds\":[1,2]}", "{\"taskIds\":[\"x\"]}", "{\"dryRun\":\"yes\"}", Json(random, 3)]);
            case 1:
                fields.Add("\"taskIds\":[" + string.Join(",", Enumerable.Range(0, random.Next(0, 5)).Select(_ => Str(Guid.NewGuid().ToString()))) + "]");
                fields.Add("\"dryRun\":" + Pick(["true", "false"]));
                break;
            default:
                // Windows are always dry runs: a real replay would run whatever the window holds.
                fields.Add($"\"since\":{Str(Pick(Texts))}");
                if (random.Next(2) == 0) fields.Add($"\"until\":{Str(Pick(Texts))}");
                if (random.Next(2) == 0) fields.Add($"\"name\":{Str(Pick(Names))}");
                if (random.Next(4) == 0) fields.Add($"\"taskIds\":[{Str(Guid.NewGuid().ToString())}]");
                fields.Add("\"dryRun\":true");
                break;
        }
        return "{" + string.Join(",", fields) + "}";
    }

    /// <summary>A random JSON value up to <paramref name="depth"/> levels deep.</summary>
    private static string Json(Random random, int depth)
    {
        var kind = random.Next(depth <= 0 ? 5 : 7);
        return kind switch
        {
            0 => "null",
            1 => random.Next(2) == 0 ? "true" : "false",
            2 => new[] { "0", "-1", "1e308", "-1e308", "99999999999999999999", "0.5", "2147483648" }[random.Next(7)],
            3 => Str(Texts[random.Next(Texts.Length)]),
            4 => Str(Names[random.Next(Names.Length)]),
            5 => "[" + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(_ => Json(random, depth - 1))) + "]",
            _ => "{" + string.Join(",", Enumerable.Range(0, random.Next(4)).Select(_ =>
                $"{Str(new[] { "name", "args", "taskIds", "since", "priority", "tags", "x" }[random.Next(7)])}:{Json(random, depth - 1)}")) + "}",
        };
    }

    /// <summary>A cursor-shaped text: valid base64 of a "ms:id" pair that may be out of any range, or junk.</summary>
    private static string Cursor(Random random)
    {
        var ms = new[] { "0", "-1", "99999999999999999", "-99999999999999999", "253402300800000", "1700000000000", "x" }[random.Next(7)];
        var raw = random.Next(3) == 0 ? ms : $"{ms}:{Guid.NewGuid():N}";
        return Convert.ToBase64String(Encoding.UTF8.GetBytes(raw)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
    }

    private static string Str(string value) => System.Text.Json.JsonSerializer.Serialize(value);

    private static string Cut(string body) => body.Length > 400 ? body[..400] + "…" : body;

    [GeneratedRegex(@"(^|\n)\s*at [\w.`<>\[\]]+\(|\b\w+(\.\w+)+Exception\b")]
    private static partial Regex StackTrace();
}
