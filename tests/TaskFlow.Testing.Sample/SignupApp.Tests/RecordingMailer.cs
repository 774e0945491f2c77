using System.Collections.Concurrent;

namespace SignupApp.Tests;

/// <summary>Keeps what would have been mailed; fails the first <see cref="FailuresLeft"/> sends.</summary>
public sealed class RecordingMailer : IMailer
{
    public ConcurrentQueue<string> Sent { get; } = new();

    public int FailuresLeft { get; set; }

    public Task SendAsync(string to, string subject, CancellationToken cancellationToken)
    {
        if (FailuresLeft > 0)
        {
            FailuresLeft--;
            throw new InvalidOperationException("The mail server is away.");
        }
        Sent.Enqueue(to);
        return Task.CompletedTask;
    }
}
