using Microsoft.Extensions.Logging;

namespace TaskFlow.Security;

internal static partial class Log
{
    [LoggerMessage(EventId = 1101, Level = LogLevel.Warning, Message = "Failed TaskFlow login for {User} from {Address}")]
    public static partial void LoginFailed(ILogger logger, string user, string address);

    [LoggerMessage(EventId = 1102, Level = LogLevel.Warning, Message = "TaskFlow login for {User} from {Address} held for {Seconds:F0} s after repeated failures")]
    public static partial void LoginHeld(ILogger logger, string user, string address, double seconds);

    [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "TaskFlow user {User} logged in from {Address}")]
    public static partial void LoggedIn(ILogger logger, string user, string address);

    [LoggerMessage(EventId = 1104, Level = LogLevel.Warning, Message = "Refused a state-changing TaskFlow request from {Address}: {Reason}")]
    public static partial void StateChangeRefused(ILogger logger, string address, string reason);

    [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "Refused a TaskFlow request to {Host}{Path} from {Address}: not from this machine, and no users are configured")]
    public static partial void LoopbackRefused(ILogger logger, string address, string host, string path);

    [LoggerMessage(EventId = 1106, Level = LogLevel.Warning, Message = "TaskFlow logins arrive through a proxy on this machine that the app did not declare (X-Forwarded-For from loopback): the login brake sees every client as the proxy. Configure ForwardedHeaders with the proxy as a known proxy (docs/SECURITY.md)")]
    public static partial void UndeclaredProxy(ILogger logger);

    /// <summary>Text a client chose (a user name, a Host), made safe for a log line: at most 64 characters, control
    /// characters (newlines included) replaced, so it can neither forge lines nor flood the log.</summary>
    public static string Bounded(string? text)
    {
        if (string.IsNullOrEmpty(text)) return "";
        const int Max = 64;
        var cut = text.Length > Max ? text[..Max] : text;
        var chars = cut.Select(c => char.IsControl(c) || char.IsSurrogate(c) || c is '\u2028' or '\u2029' ? '?' : c).ToArray();
        return new string(chars) + (text.Length > Max ? $"…({text.Length} chars)" : "");
    }
}
