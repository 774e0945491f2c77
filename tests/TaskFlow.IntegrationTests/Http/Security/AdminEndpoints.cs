using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.RegularExpressions;

namespace TaskFlow.IntegrationTests.Http.Security;

/// <summary>Every route of MapTaskFlow's group, for the access matrix: each with a request that passes validation
/// (or names something unknown), so that what decides its status is access alone.</summary>
public static partial class AdminEndpoints
{
    private const string Unknown = "00000000-0000-0000-0000-0000000000aa";

    private static readonly Dictionary<string, string?> Bodies = new(StringComparer.Ordinal)
    {
        ["GET /tasks"] = null,
        ["GET /tasks/metrics"] = null,
        ["GET /tasks/registry"] = null,
        ["GET /tasks/schedules"] = null,
        ["GET /tasks/audit"] = null,
        ["GET /tasks/cluster"] = null,
        [$"GET /tasks/{Unknown}"] = null,
        ["GET /tasks/stream"] = null,
        ["GET /tasks/dashboard"] = null,
        ["POST /tasks"] = """{"name":"sleep","args":{"ms":1}}""",
        [$"POST /tasks/{Unknown}/cancel"] = null,
        [$"POST /tasks/{Unknown}/retry"] = null,
        ["POST /tasks/replay"] = """{"since":"1h","dryRun":true}""",
        ["POST /tasks/batches"] = """{"tasks":[{"name":"sleep","args":{"ms":1}}]}""",
        [$"GET /tasks/batches/{Unknown}"] = null,
        ["DELETE /tasks/history?olderThan=3650d"] = null,
        ["POST /tasks/schedules/no_such_schedule/pause"] = null,
        ["POST /tasks/schedules/no_such_schedule/resume"] = null,
        ["POST /tasks/schedules/no_such_schedule/trigger"] = null,
        ["POST /tasks/schedules"] = """{"name":"access_matrix","task":"sleep","args":{"ms":1},"every":3600}""",
        ["PUT /tasks/schedules/no_such_schedule"] = """{"task":"sleep","args":{"ms":1},"every":3600}""",
        ["DELETE /tasks/schedules/no_such_schedule"] = null,
    };

    public static TheoryData<string> All => [.. Bodies.Keys];

    public static TheoryData<string> Reads => [.. Bodies.Keys.Where(k => k.StartsWith("GET ", StringComparison.Ordinal))];

    public static TheoryData<string> Changes => [.. Bodies.Keys.Where(k => !k.StartsWith("GET ", StringComparison.Ordinal))];

    public const string Page = "GET /tasks/dashboard";

    public static HttpRequestMessage Request(string endpoint, string? basicUser = null, string? basicPassword = null, string? from = null)
    {
        var space = endpoint.IndexOf(' ', StringComparison.Ordinal);
        var request = new HttpRequestMessage(new HttpMethod(endpoint[..space]), endpoint[(space + 1)..]);
        if (Bodies[endpoint] is { } body) request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        if (basicUser is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes($"{basicUser}:{basicPassword}")));
        if (from is not null) request.Headers.Add(ApiFactory.RemoteAddressHeader, from);
        return request;
    }

    /// <summary>Sends the request; a stream answers with its headers and is then closed.</summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient http, HttpRequestMessage request)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        return await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
    }

    /// <summary>The anti-forgery token the dashboard page hands its scripts.</summary>
    public static string PageToken(string html) =>
        WebUtility.HtmlDecode(TokenMeta().Match(html) is { Success: true } match ? match.Groups[1].Value
            : throw new InvalidOperationException("The page has no taskflow-antiforgery meta tag."));

    public static string FormToken(string html) =>
        WebUtility.HtmlDecode(TokenField().Match(html) is { Success: true } match ? match.Groups[1].Value
            : throw new InvalidOperationException("The form has no __RequestVerificationToken field."));

    public static void AssertAllowed(HttpResponseMessage response, string endpoint)
    {
        var status = (int)response.StatusCode;
        Assert.True(status is not (401 or 403 or 429) and < 500, $"{endpoint} answered {status}, expected access");
    }

    [GeneratedRegex("<meta name=\"taskflow-antiforgery\" content=\"([^\"]*)\"")]
    private static partial Regex TokenMeta();

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]*)\"")]
    private static partial Regex TokenField();
}
