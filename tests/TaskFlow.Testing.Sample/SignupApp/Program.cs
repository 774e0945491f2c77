using System.ComponentModel.DataAnnotations;
using TaskFlow;

var builder = WebApplication.CreateBuilder(args);
builder.Services.AddSingleton<IMailer, LogMailer>();
builder.AddTaskFlow(tf => tf
    .AddSqliteStorage()
    .AddTask<SendWelcomeEmail>("send_welcome_email", o => o.Retries(2).Delay(0.05)));

var app = builder.Build();
app.MapTaskFlow("/tasks");
app.MapPost("/signup", async (Signup signup, ITaskQueue tasks) =>
    Results.Accepted(value: new { taskId = await tasks.EnqueueAsync(new WelcomeEmail(signup.Email)) }));
app.Run();

public sealed record Signup(string Email);

public sealed record WelcomeEmail([property: Required, EmailAddress] string Address);

public interface IMailer
{
    Task SendAsync(string to, string subject, CancellationToken cancellationToken);
}

public sealed class SendWelcomeEmail(IMailer mailer) : ITaskHandler<WelcomeEmail>
{
    public Task RunAsync(WelcomeEmail args, TaskContext context, CancellationToken cancellationToken) =>
        mailer.SendAsync(args.Address, "Welcome!", cancellationToken);
}

public sealed class LogMailer(ILogger<LogMailer> logger) : IMailer
{
    public Task SendAsync(string to, string subject, CancellationToken cancellationToken)
    {
        logger.LogInformation("Mail to {To}: {Subject}", to, subject);
        return Task.CompletedTask;
    }
}

public partial class Program;
