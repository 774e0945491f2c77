namespace TaskFlow.Silo;

/// <summary>Log messages of the <c>--migrate-only</c> command.</summary>
internal static partial class MigrateLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "{Switch} needs TaskFlow:Storage:Provider=Postgres (it is {Provider})")]
    public static partial void WrongProvider(ILogger logger, string @switch, TaskFlow.StorageProvider provider);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "The PostgreSQL schema is up to date; {Count} scripts were applied now")]
    public static partial void UpToDate(ILogger logger, int count);

    [LoggerMessage(EventId = 3, Level = LogLevel.Error, Message = "{Reason}")]
    public static partial void Unreachable(ILogger logger, string reason);
}
