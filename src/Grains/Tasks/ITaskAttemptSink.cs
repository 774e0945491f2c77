namespace TaskFlow.Tasks;

/// <summary>The way back into a task grain for the attempt that ran off its scheduler: the outcome arrives as an
/// ordinary grain call, so it never interleaves with another turn's state write.</summary>
[Alias("taskflow.ITaskAttemptSink")]
public interface ITaskAttemptSink : IGrainWithGuidKey
{
    /// <summary>Attempt <paramref name="attempt"/> ended with <paramref name="outcome"/>.</summary>
    [Alias("AttemptEnded")]
    Task AttemptEnded(int attempt, AttemptOutcome outcome);
}
