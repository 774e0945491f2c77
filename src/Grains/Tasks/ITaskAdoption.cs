namespace TaskFlow.Tasks;

/// <summary>How a task grain learns of a task the creator on some silo just stored: it takes the state as written (no
/// read) and asks for a slot or arms its wake-up. One-way: the creator has already answered its caller.</summary>
[Alias("taskflow.ITaskAdoption")]
public interface ITaskAdoption : IGrainWithGuidKey
{
    /// <summary>The task was stored as <paramref name="state"/> under <paramref name="etag"/>.</summary>
    [Alias("Adopt"), Orleans.Concurrency.OneWay]
    Task Adopt(TaskState state, string etag);
}
