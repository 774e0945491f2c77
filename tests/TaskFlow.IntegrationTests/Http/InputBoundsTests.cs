using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace TaskFlow.IntegrationTests.Http;

/// <summary>Inputs beyond any range are refused with a 400 naming the field, never a 500 (issue 14).</summary>
[Collection(ApiCollection.Name)]
public sealed class InputBoundsTests(ApiFactory factory)
{
    private readonly HttpClient _http = factory.CreateClient();

    [Theory]
    [InlineData("GET", "/tasks?since=99999999999999999999d", "since")]
    [InlineData("GET", "/tasks?until=99999999999999999999w", "until")]
    [InlineData("GET", "/tasks?since=36501d", "since")]
    [InlineData("DELETE", "/tasks/history?olderThan=99999999999999999999d", "olderThan")]
    [InlineData("GET", "/tasks?cursor=99999999999999999999", "cursor")]
    [InlineData("GET", "/tasks?cursor=OTk5OTk5OTk5OTk5OTk5OTk6MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA", "cursor")]
    [InlineData("GET", "/tasks/audit?limit=99999999999999999999", "limit")]
    [InlineData("GET", "/tasks/audit?limit=0", "limit")]
    public async Task A_value_beyond_any_range_is_a_400_naming_the_field(string method, string path, string field)
    {
        using var response = await _http.SendAsync(new HttpRequestMessage(new HttpMethod(method), path));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task A_replay_window_beyond_any_date_is_a_400_naming_since()
    {
        using var response = await _http.PostAsync("/tasks/replay",
            new StringContent("""{"since":"99999999999999999999d","dryRun":true}""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors").TryGetProperty("since", out _));
    }

    [Fact]
    public async Task The_longest_window_is_still_served()
    {
        using var response = await _http.GetAsync("/tasks?since=36500d&limit=1");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
