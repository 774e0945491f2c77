namespace TaskFlow.Storage;

/// <summary>Names of the storage TaskFlow's grains use.</summary>
public static class TaskFlowStorage
{
    /// <summary>The grain storage provider holding task, key and schedule state.</summary>
    public const string Name = "taskflow";
}
