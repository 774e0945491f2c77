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
}
