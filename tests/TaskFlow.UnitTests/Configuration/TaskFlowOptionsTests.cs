namespace TaskFlow.UnitTests.Configuration;

public sealed class TaskFlowOptionsTests
{
    [Theory]
    [InlineData("https://jaeger.example/trace/{traceId}", true)]
    [InlineData("http://127.0.0.1:16686/trace/{traceId}?uiEmbed=v0", true)]
    [InlineData("https://jaeger.example/trace/", false)]
    [InlineData("/trace/{traceId}", false)]
    [InlineData("javascript:alert({traceId})", false)]
    [InlineData("ftp://files.example/{traceId}", false)]
    public void The_trace_url_must_be_an_absolute_http_url_with_the_trace_id_placeholder(string url, bool valid)
    {
        var options = new TaskFlowOptions { Telemetry = new TaskFlowTelemetryOptions { TraceUrl = url } };

        var problems = options.Validate().ToList();

        if (valid) Assert.Empty(problems);
        else Assert.Contains(problems, p => p.StartsWith("TaskFlow:Telemetry:TraceUrl must be", StringComparison.Ordinal) && p.Contains(url, StringComparison.Ordinal));
    }

    [Fact]
    public void The_defaults_are_valid() => Assert.Empty(new TaskFlowOptions().Validate());
}
