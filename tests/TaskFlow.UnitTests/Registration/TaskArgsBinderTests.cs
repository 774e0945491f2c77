using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace TaskFlow.UnitTests.Registration;

public sealed class TaskArgsBinderTests
{
    public sealed record Report([property: Range(1, 12)] int Month, int DurationMs = 200, string? Note = null);

    public sealed class ReportHandler : ITaskHandler<Report>
    {
        public Task RunAsync(Report args, TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static readonly TaskRegistration Registration =
        new TaskFlowBuilder(new ServiceCollection()).AddTask<ReportHandler>("report").Registry.All[0];

    private static object Bind(string json)
    {
        using var document = JsonDocument.Parse(json);
        return TaskArgsBinder.Bind(Registration, document.RootElement);
    }

    [Fact]
    public void Args_bind_camel_case_with_defaults_for_optional_fields()
    {
        Assert.Equal(new Report(3, 200), Bind("""{"month":3}"""));
        Assert.Equal(new Report(3, 50, "x"), Bind("""{"month":3,"durationMs":50,"note":"x"}"""));
    }

    [Theory]
    [InlineData("""{}""", "args.month", "is required")]
    [InlineData("""{"month":"x"}""", "args.month", "expected an integer")]
    [InlineData("""{"month":3.5}""", "args.month", "expected an integer")]
    [InlineData("""{"month":3,"colour":"red"}""", "args.colour", "accepted fields: month, durationMs, note")]
    [InlineData("""{"month":13}""", "args.month", "between 1 and 12")]
    [InlineData("""[1,2]""", "args", "must be a JSON object")]
    [InlineData("""{"month":3,"note":5}""", "args.note", "expected a string")]
    public void Args_that_do_not_bind_name_the_field_at_fault(string json, string field, string message)
    {
        var ex = Assert.Throws<TaskValidationException>(() => Bind(json));

        Assert.Equal(field, ex.Field);
        Assert.Contains(message, ex.Problem, StringComparison.Ordinal);
    }
}
