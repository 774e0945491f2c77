using TaskFlow.Tasks;

namespace TaskFlow.Storage;

/// <summary>How a task grain reads and writes its state: straight to the <see cref="ITaskStore"/> rather than through
/// Orleans grain persistence, so the grain decides when to read (a task created under a fresh id is written without
/// reading first). Arguments are encrypted at rest when a protector is configured, and every database failure reaches
/// the caller as <see cref="TaskStoreUnavailableException"/>; a lost version race stays an
/// <see cref="Orleans.Storage.InconsistentStateException"/>.</summary>
internal sealed class TaskStates(ITaskStore store, ITaskArgsProtector? protector = null)
{
    /// <summary>Marks protected arguments in a stored state, so a store may hold both kinds while encryption is turned on.</summary>
    private const string ProtectedPrefix = "protected:v1:";

    /// <summary>The task's state and version, or null when no task has this id.</summary>
    public Task<Versioned<TaskState>?> ReadAsync(Guid taskId) => Unavailable(async () =>
        await store.ReadTaskAsync(taskId) is { } stored ? stored with { Value = Reveal(stored.Value) } : null);

    /// <summary>Stores <paramref name="state"/> if the stored version is still <paramref name="expectedETag"/> (null: no
    /// task has this id yet); returns the new version.</summary>
    public Task<string> WriteAsync(TaskState state, string? expectedETag) =>
        Unavailable(() => store.WriteTaskAsync(Conceal(state), expectedETag));

    /// <summary>Runs a store operation, turning any database failure into <see cref="TaskStoreUnavailableException"/>.</summary>
    public static async Task<T> Unavailable<T>(Func<Task<T>> operation)
    {
        try
        {
            return await operation();
        }
        catch (System.Data.Common.DbException ex)
        {
            throw new TaskStoreUnavailableException("The task store cannot be reached: " + ex.Message, ex);
        }
    }

    private TaskState Conceal(TaskState state) =>
        protector is null || state.Record.ArgsJson.StartsWith(ProtectedPrefix, StringComparison.Ordinal)
            ? state
            : state with { Record = state.Record with { ArgsJson = ProtectedPrefix + protector.Protect(state.Record.ArgsJson) } };

    private TaskState Reveal(TaskState state)
    {
        var args = state.Record.ArgsJson;
        if (!args.StartsWith(ProtectedPrefix, StringComparison.Ordinal)) return state;
        if (protector is null)
            throw new InvalidOperationException($"Task {state.Record.TaskId} has encrypted arguments; set TaskFlow:Storage:EncryptArgs=true with the same key ring.");
        return state with { Record = state.Record with { ArgsJson = protector.Unprotect(args[ProtectedPrefix.Length..]) } };
    }
}
