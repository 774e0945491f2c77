using Microsoft.Extensions.Logging;

namespace TaskFlow;

/// <summary>Source-generated log messages of the runtime, with structured task fields.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Granted a slot to {TaskId} ({TaskName}, priority {Priority}); {Running} running")]
    public static partial void SlotGranted(ILogger logger, Guid taskId, string taskName, int priority, int running);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Task {TaskId} ({TaskName}) accepted with priority {Priority}")]
    public static partial void TaskAccepted(ILogger logger, Guid taskId, string taskName, int priority);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Task {TaskId} ({TaskName}) attempt {Attempt} started")]
    public static partial void AttemptStarted(ILogger logger, Guid taskId, string taskName, int attempt);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Task {TaskId} ({TaskName}) is now {Status} after attempt {Attempt}")]
    public static partial void TaskTransitioned(ILogger logger, Guid taskId, string taskName, TaskRunStatus status, int attempt);

    [LoggerMessage(EventId = 5, Level = LogLevel.Information, Message = "Task {TaskId} ({TaskName}) attempt {Attempt} failed and is retried: {ErrorType}: {Error}")]
    public static partial void AttemptFailed(ILogger logger, Guid taskId, string taskName, int attempt, string errorType, string error);

    [LoggerMessage(EventId = 10, Level = LogLevel.Warning, Message = "Task {TaskId} ({TaskName}) failed after {Attempt} attempts: {ErrorType}: {Error}")]
    public static partial void TaskFailed(ILogger logger, Guid taskId, string taskName, int attempt, string errorType, string error);

    [LoggerMessage(EventId = 6, Level = LogLevel.Debug, Message = "Task {TaskId} ignored an event: {Reason}")]
    public static partial void EventRefused(ILogger logger, Guid taskId, string reason);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "Task {TaskId} ({TaskName}) is no longer registered on this silo; it ends failed")]
    public static partial void TaskNotRegistered(ILogger logger, Guid taskId, string taskName);

    [LoggerMessage(EventId = 8, Level = LogLevel.Warning, Message = "Task {TaskId} ({TaskName}) was running when its activation ended; recovered as {Status}")]
    public static partial void TaskRecovered(ILogger logger, Guid taskId, string taskName, TaskRunStatus status);

    [LoggerMessage(EventId = 9, Level = LogLevel.Warning, Message = "Task {TaskId} ({TaskName}) attempt {Attempt} ended but its grain could not be told")]
    public static partial void AttemptReportLost(ILogger logger, Guid taskId, string taskName, int attempt, Exception exception);

    [LoggerMessage(EventId = 20, Level = LogLevel.Error, Message = "A stored task row {TaskId} could not be read and was skipped")]
    public static partial void CorruptRowSkipped(ILogger logger, string taskId, Exception exception);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "A task row with the foreign id {TaskId} was skipped")]
    public static partial void ForeignRowSkipped(ILogger logger, string taskId);

    [LoggerMessage(EventId = 22, Level = LogLevel.Error, Message = "The task store could not commit {Count} writes")]
    public static partial void StoreWriteFailed(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 23, Level = LogLevel.Debug, Message = "Recovery woke {Count} unfinished tasks")]
    public static partial void RecoveryDone(ILogger logger, int count);

    [LoggerMessage(EventId = 24, Level = LogLevel.Warning, Message = "Recovery could not wake task {TaskId}")]
    public static partial void RecoveryFailed(ILogger logger, Guid taskId, Exception exception);

    [LoggerMessage(EventId = 25, Level = LogLevel.Information, Message = "Retention deleted {Count} tasks that ended before {Cutoff}")]
    public static partial void RetentionDeleted(ILogger logger, int count, DateTimeOffset cutoff);

    [LoggerMessage(EventId = 26, Level = LogLevel.Error, Message = "The task store could not be prepared")]
    public static partial void StoreInitializeFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 30, Level = LogLevel.Information, Message = "The dispatcher is rebuilding its queue from {Count} unfinished tasks")]
    public static partial void DispatcherRebuilding(ILogger logger, int count);

    [LoggerMessage(EventId = 31, Level = LogLevel.Warning, Message = "The slot lease of task {TaskId} expired; the slot is free again and the task is asked to recover")]
    public static partial void LeaseExpired(ILogger logger, Guid taskId);

    [LoggerMessage(EventId = 32, Level = LogLevel.Warning, Message = "{Count} slot messages of this silo's tasks could not reach the dispatcher; its lease expiry, its rebuild or the next sweep repairs them")]
    public static partial void DispatcherUnreachable(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 34, Level = LogLevel.Warning, Message = "The grant of task {TaskId} could not be handed over; its lease expiry gives the slot back")]
    public static partial void GrantNotDelivered(ILogger logger, Guid taskId, Exception exception);

    [LoggerMessage(EventId = 40, Level = LogLevel.Debug, Message = "Schedule {ScheduleName} fired its occurrence {Occurrence} as task {TaskId}")]
    public static partial void ScheduleFired(ILogger logger, string scheduleName, DateTimeOffset occurrence, Guid taskId);

    [LoggerMessage(EventId = 41, Level = LogLevel.Information, Message = "Schedule {ScheduleName} passed over its occurrence {Occurrence}: {Reason}")]
    public static partial void OccurrencePassed(ILogger logger, string scheduleName, DateTimeOffset occurrence, string reason);

    [LoggerMessage(EventId = 42, Level = LogLevel.Warning, Message = "Schedule {ScheduleName} could not be woken")]
    public static partial void ScheduleWakeFailed(ILogger logger, string scheduleName, Exception exception);

    [LoggerMessage(EventId = 44, Level = LogLevel.Warning, Message = "Schedule {ScheduleName} could not tick; it tries again in a second")]
    public static partial void ScheduleTickFailed(ILogger logger, string scheduleName, Exception exception);

    [LoggerMessage(EventId = 43, Level = LogLevel.Information, Message = "Schedule {ScheduleName} was removed from code and is retired")]
    public static partial void ScheduleRetired(ILogger logger, string scheduleName);

    [LoggerMessage(EventId = 27, Level = LogLevel.Information, Message = "Applied schema script {Version} ({ScriptName})")]
    public static partial void SchemaScriptApplied(ILogger logger, int version, string scriptName);

    [LoggerMessage(EventId = 70, Level = LogLevel.Information, Message = "Carried grain states from taskflow.grain_state into the Orleans storage: {Carried} written, {AlreadyStored} already there, {Unreadable} left unreadable")]
    public static partial void GrainStatesCarriedOver(ILogger logger, int carried, int alreadyStored, int unreadable);

    [LoggerMessage(EventId = 71, Level = LogLevel.Error, Message = "The grain state {GrainType} {GrainKey} in taskflow.grain_state could not be read; it stays there and was not carried over")]
    public static partial void GrainStateNotCarried(ILogger logger, string grainType, string grainKey, Exception exception);

    [LoggerMessage(EventId = 33, Level = LogLevel.Warning, Message = "Task {TaskId} ({TaskName}) could not store the end of attempt {Attempt}; it is kept and tried again")]
    public static partial void OutcomeNotStored(ILogger logger, Guid taskId, string taskName, int attempt, Exception exception);

    [LoggerMessage(EventId = 50, Level = LogLevel.Information, Message = "Silo stopping: {Running} attempts running, waiting up to {Grace} for them to finish")]
    public static partial void Draining(ILogger logger, int running, TimeSpan grace);

    [LoggerMessage(EventId = 51, Level = LogLevel.Information, Message = "Every running attempt finished after {Seconds:0.0} s; the silo stops")]
    public static partial void Drained(ILogger logger, double seconds);

    [LoggerMessage(EventId = 52, Level = LogLevel.Warning, Message = "Shutdown grace over after {Seconds:0.0} s: {Running} attempts still running are interrupted")]
    public static partial void DrainGraceOver(ILogger logger, int running, double seconds);

    [LoggerMessage(EventId = 53, Level = LogLevel.Debug, Message = "Task {TaskId} ({TaskName}) was granted a slot on a stopping silo; it moves to another")]
    public static partial void HandedOff(ILogger logger, Guid taskId, string taskName);

    [LoggerMessage(EventId = 54, Level = LogLevel.Debug, Message = "This silo's report to the cluster status could not be sent")]
    public static partial void ClusterReportFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 55, Level = LogLevel.Warning, Message = "This silo has heard neither another silo nor the task store for {Seconds} s: it may be cut off, so its running attempts are stopped (they end interrupted) and it starts none until contact is back")]
    public static partial void SiloIsolated(ILogger logger, double seconds);

    [LoggerMessage(EventId = 56, Level = LogLevel.Information, Message = "This silo is in contact with the cluster again and takes attempts")]
    public static partial void SiloReconnected(ILogger logger);

    [LoggerMessage(EventId = 57, Level = LogLevel.Debug, Message = "{Count} task events could not be handed to the events hub; they are sent again")]
    public static partial void EventsNotPublished(ILogger logger, int count, Exception exception);

    [LoggerMessage(EventId = 60, Level = LogLevel.Information, Message = "Task {TaskId} ({TaskName}): a write whose answer was lost in an outage had been stored ({Status}); continuing from it")]
    public static partial void DoubtResolved(ILogger logger, Guid taskId, string taskName, TaskRunStatus status);
}
