using Microsoft.Extensions.DependencyInjection;

namespace TaskFlow.UnitTests.Registration;

public sealed class RegistrationTests
{
    public sealed record Email(string Address);

    public sealed class EmailHandler : ITaskHandler<Email>
    {
        public Task RunAsync(Email args, TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    public sealed class OtherEmailHandler : ITaskHandler<Email>
    {
        public Task RunAsync(Email args, TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    public sealed class NotAHandler;

    [Fact]
    public void A_registered_task_keeps_its_options_argument_type_and_a_scoped_handler()
    {
        var services = new ServiceCollection();
        var builder = new TaskFlowBuilder(services)
            .AddTask<EmailHandler>("send_email", o => o.Retries(3).Delay(1).Backoff(2).MaxDelay(30).Priority(5).Timeout(10).RequeueOnInterrupt(false).MaxConcurrency(2));

        Assert.True(builder.Registry.TryGet("send_email", out var registration));
        Assert.Equal(typeof(Email), registration.ArgsType);
        Assert.Equal(new TaskOptions
        {
            Retries = 3, DelaySeconds = 1, Backoff = 2, MaxDelaySeconds = 30, Priority = 5, TimeoutSeconds = 10,
            RequeueOnInterrupt = false, MaxConcurrency = 2,
        }, registration.Options);
        Assert.Contains(services, d => d.ServiceType == typeof(EmailHandler) && d.Lifetime == ServiceLifetime.Scoped);
    }

    [Fact]
    public void A_duplicate_name_fails_at_start_up_naming_the_task()
    {
        var builder = new TaskFlowBuilder(new ServiceCollection()).AddTask<EmailHandler>("send_email");

        var ex = Assert.Throws<InvalidOperationException>(() => builder.AddTask<OtherEmailHandler>("send_email"));

        Assert.Contains("'send_email'", ex.Message, StringComparison.Ordinal);
        Assert.Contains("registered twice", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("retries must be 0 or more")]
    [InlineData("backoff must be 1 or more")]
    [InlineData("timeout must be more than 0 seconds")]
    [InlineData("delay must be 0 or more seconds")]
    public void Options_out_of_range_fail_at_start_up_naming_the_task(string expected)
    {
        Action<TaskOptionsBuilder> configure = expected switch
        {
            "retries must be 0 or more" => o => o.Retries(-1),
            "backoff must be 1 or more" => o => o.Backoff(0.5),
            "timeout must be more than 0 seconds" => o => o.Timeout(0),
            _ => o => o.Delay(-1),
        };

        var ex = Assert.Throws<InvalidOperationException>(() => new TaskFlowBuilder(new ServiceCollection()).AddTask<EmailHandler>("send_email", configure));

        Assert.Contains("'send_email'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_class_that_is_not_a_handler_is_refused()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => new TaskFlowBuilder(new ServiceCollection()).AddTask<NotAHandler>("x"));

        Assert.Contains("ITaskHandler<TArgs>", ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("<script>")]
    public void An_invalid_name_is_refused(string name)
    {
        Assert.Throws<InvalidOperationException>(() => new TaskFlowBuilder(new ServiceCollection()).AddTask<EmailHandler>(name));
    }

    [Fact]
    public void Builders_over_one_service_collection_share_one_registry()
    {
        var services = new ServiceCollection();
        new TaskFlowBuilder(services).AddTask<EmailHandler>("a");
        var second = new TaskFlowBuilder(services).AddTask<OtherEmailHandler>("b");

        Assert.Equal(["a", "b"], second.Registry.All.Select(r => r.Name));
        Assert.Single(services, d => d.ServiceType == typeof(TaskRegistry));
    }

    [Fact]
    public void Typed_enqueue_needs_exactly_one_task_for_the_argument_type()
    {
        var registry = new TaskFlowBuilder(new ServiceCollection())
            .AddTask<EmailHandler>("a").AddTask<OtherEmailHandler>("b").Registry;

        var ex = Assert.Throws<InvalidOperationException>(() => registry.GetByArgsType(typeof(Email)));

        Assert.Contains("a, b", ex.Message, StringComparison.Ordinal);
    }
}
