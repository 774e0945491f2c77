namespace TaskFlow.Hosting;

/// <summary>A storage package's part of a silo, chosen by <c>TaskFlow:Storage:Provider</c>: the task store, the
/// <c>taskflow</c> grain storage and reminders, and, where membership lives in the database, the clustering. The
/// storage packages add theirs with <c>tf.AddSqliteStorage()</c> or <c>tf.AddPostgreSqlStorage()</c>; Memory is
/// built in.</summary>
internal interface ITaskFlowStorageProvider
{
    /// <summary>The provider this package implements.</summary>
    StorageProvider Provider { get; }

    /// <summary>Adds the task store (as <see cref="Storage.ITaskStore"/>, unless one is registered already), the grain
    /// storage and the reminder service.</summary>
    void AddStorage(ISiloBuilder silo, TaskFlowOptions options);

    /// <summary>Configures membership on the database; false leaves the silo on localhost clustering.</summary>
    bool UseClustering(ISiloBuilder silo, TaskFlowOptions options);
}
