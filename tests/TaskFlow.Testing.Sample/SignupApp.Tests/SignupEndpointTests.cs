using System.Net;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using TaskFlow;
using TaskFlow.Testing;

namespace SignupApp.Tests;

/// <summary>The application's own endpoint over in-process HTTP, with its TaskFlow silo on the in-memory store.</summary>
public sealed class SignupEndpointTests(SignupEndpointTests.App app) : IClassFixture<SignupEndpointTests.App>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    public sealed class App : TaskFlowAppFactory<Program>
    {
        public RecordingMailer Mailer { get; } = new();

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddSingleton<IMailer>(Mailer));
        }
    }

    [Fact]
    public async Task Signing_up_enqueues_a_welcome_email_that_is_sent()
    {
        using var client = app.CreateClient();

        var response = await client.PostAsJsonAsync("/signup", new { email = "barbara@example.com" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<Accepted>();
        var record = await app.WaitForAsync(body!.TaskId, TaskRunStatus.Success, Timeout);
        Assert.Equal("send_welcome_email", record.Name);
        Assert.Contains("barbara@example.com", app.Mailer.Sent);
    }

    [Fact]
    public async Task The_task_is_visible_through_the_admin_api_the_app_maps()
    {
        using var client = app.CreateClient();
        var taskId = await app.Queue.EnqueueAsync(new WelcomeEmail("edsger@example.com"));
        await app.WaitForAsync(taskId, TaskRunStatus.Success, Timeout);

        var response = await client.GetAsync($"/tasks/{taskId}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private sealed record Accepted(Guid TaskId);
}
