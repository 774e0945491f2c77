using Microsoft.Extensions.DependencyInjection;
using TaskFlow;
using TaskFlow.Testing;

namespace SignupApp.Tests;

/// <summary>The handler, run by a real TaskFlow silo in the test process.</summary>
public sealed class SendWelcomeEmailTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task The_welcome_email_goes_to_the_address_enqueued()
    {
        var mailer = new RecordingMailer();
        await using var host = await TaskFlowTestHost.StartAsync(
            tf => tf.AddTask<SendWelcomeEmail>("send_welcome_email"),
            services => services.AddSingleton<IMailer>(mailer));

        var taskId = await host.Queue.EnqueueAsync(new WelcomeEmail("ada@example.com"));
        var record = await host.WaitForAsync(taskId, TaskRunStatus.Success, Timeout);

        Assert.Equal(["ada@example.com"], mailer.Sent);
        Assert.Equal(1, record.AttemptCount);
    }

    [Fact]
    public async Task A_mail_server_that_fails_once_costs_one_retry()
    {
        var mailer = new RecordingMailer { FailuresLeft = 1 };
        await using var host = await TaskFlowTestHost.StartAsync(
            tf => tf.AddTask<SendWelcomeEmail>("send_welcome_email", o => o.Retries(2).Delay(0.05)),
            services => services.AddSingleton<IMailer>(mailer));

        var taskId = await host.Queue.EnqueueAsync(new WelcomeEmail("grace@example.com"));
        var record = await host.WaitForAsync(taskId, TaskRunStatus.Success, Timeout);

        Assert.Equal(2, record.AttemptCount);
        Assert.Equal(["grace@example.com"], mailer.Sent);
    }

    [Fact]
    public async Task Waiting_for_success_reports_a_task_that_failed_with_its_error()
    {
        var mailer = new RecordingMailer { FailuresLeft = 5 };
        await using var host = await TaskFlowTestHost.StartAsync(
            tf => tf.AddTask<SendWelcomeEmail>("send_welcome_email"),
            services => services.AddSingleton<IMailer>(mailer));

        var taskId = await host.Queue.EnqueueAsync(new WelcomeEmail("alan@example.com"));
        var error = await Assert.ThrowsAsync<TaskStatusException>(() => host.WaitForAsync(taskId, TaskRunStatus.Success, Timeout));

        Assert.Equal(TaskRunStatus.Failed, error.Record!.Status);
        Assert.Contains("The mail server is away.", error.Message, StringComparison.Ordinal);
    }
}
