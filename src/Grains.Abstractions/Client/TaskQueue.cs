using System.Collections.Immutable;
using System.Text.Json;
using TaskFlow.Grains;

namespace TaskFlow;

/// <summary><see cref="ITaskQueue"/> over the Orleans grain factory: works the same in a silo and in a cluster client.
/// Enqueues and reads are retried through a cluster change (<see cref="ClusterCallRetry"/>): a task is created under an
/// id drawn once, so a repeated create finds the task the first one made.</summary>
public sealed class TaskQueue(IGrainFactory grains, TaskRegistry registry, TimeProvider? time = null) : ITaskQueue
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    private const int MaxIdempotencyKeyLength = 200;
    private const int MaxTags = 50;
    private const int MaxTagKeyLength = 100;
    private const int MaxTagValueLength = 1000;
    private static readonly TimeSpan MaxDelay = TimeSpan.FromDays(366);

    /// <summary>The most tasks a continuation may wait for.</summary>
    public const int MaxParents = 100;

    /// <summary>The most tasks in one batch.</summary>
    public const int MaxBatch = 10_000;

    /// <inheritdoc />
    public async Task<Guid> EnqueueAsync<TArgs>(TArgs args, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
        where TArgs : notnull
    {
        var registration = registry.GetByArgsType(typeof(TArgs));
        // Typed args always bind, but their data annotations ([EmailAddress], [Range]…) are checked like JSON ones.
        TaskArgsBinder.Validate(registration, args);
        var spec = BuildSpec(registration.Name, TaskArgsBinder.Serialize(args, typeof(TArgs)), options, _time.GetUtcNow());
        await CheckParentsAsync(spec, cancellationToken);
        return (await SubmitSpecAsync(spec, cancellationToken)).Record.TaskId;
    }

    /// <inheritdoc />
    public async Task<Guid> EnqueueAsync(string name, JsonElement args, EnqueueOptions? options = null, CancellationToken cancellationToken = default) =>
        (await SubmitAsync(name, args, options, cancellationToken)).Record.TaskId;

    /// <inheritdoc />
    public async Task<EnqueueResult> SubmitAsync(string name, JsonElement args, EnqueueOptions? options = null, CancellationToken cancellationToken = default)
    {
        var spec = Validate(name, args, options);
        await CheckParentsAsync(spec, cancellationToken);
        return await SubmitSpecAsync(spec, cancellationToken);
    }

    /// <summary>Checks a submission without touching the cluster (name, args, options) and returns its spec; an
    /// <see cref="EnqueueOptions.After"/> list is checked by <see cref="CheckParentsAsync"/>.</summary>
    /// <exception cref="TaskValidationException">Unknown name, args that do not bind, or bad options.</exception>
    public TaskSpec Validate(string name, JsonElement args, EnqueueOptions? options = null)
    {
        if (string.IsNullOrEmpty(name) || !registry.TryGet(name, out var registration))
        {
            var known = string.Join(", ", registry.All.Select(r => r.Name));
            throw new TaskValidationException("name", $"'{name}' is not a registered task; registered tasks: {(known.Length == 0 ? "none" : known)}.");
        }

        TaskArgsBinder.Bind(registration, args);
        var json = args.ValueKind == JsonValueKind.Undefined ? "null" : args.GetRawText();
        return BuildSpec(name, json, options, _time.GetUtcNow());
    }

    /// <summary>Every task a continuation waits for must exist.</summary>
    /// <exception cref="TaskValidationException">Naming <c>after[i]</c>, the first that does not.</exception>
    private async Task CheckParentsAsync(TaskSpec spec, CancellationToken cancellationToken)
    {
        if (spec.After.IsDefaultOrEmpty) return;
        var found = await Task.WhenAll(spec.After.Select(id => GetAsync(id, cancellationToken)));
        for (var i = 0; i < found.Length; i++)
        {
            if (found[i] is null) throw new TaskValidationException($"after[{i}]", $"no task has the id {spec.After[i]}.");
        }
    }

    /// <summary>Submits a prepared spec (schedules and replays set its source); the spec's name and args must
    /// already be valid.</summary>
    public Task<EnqueueResult> SubmitSpecAsync(TaskSpec spec, CancellationToken cancellationToken = default) =>
        SubmitSpecAsync(Guid.NewGuid(), spec, cancellationToken);

    private async Task<EnqueueResult> SubmitSpecAsync(Guid taskId, TaskSpec spec, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(spec);
        using var activity = TaskFlowTelemetry.StartEnqueue(spec.Name, taskId, spec.Priority);
        spec = spec with { TraceParent = spec.TraceParent ?? TaskFlowTelemetry.ContextForNewTask(activity) };
        try
        {
            if (spec.IdempotencyKey is { } key)
            {
                var keyGrain = grains.GetGrain<IIdempotencyGrain>(key);
                var outcome = await ClusterCallRetry.RunAsync(() => keyGrain.Submit(taskId, spec), _time, cancellationToken);
                // A try whose answer was lost may have created the task: a retry then finds it under the key, and it is ours.
                var created = outcome.Created || outcome.Record.TaskId == taskId;
                // A key that matched a live task: the span names the task it found.
                if (!created) activity?.SetTag(TaskFlowTelemetry.Attributes.MessageId, outcome.Record.TaskId.ToString("D"));
                return new EnqueueResult(outcome.Record, created);
            }

            // Created by a stateless worker on whichever silo takes the call; each try under another key, so a retry
            // usually goes through another gateway.
            var record = await ClusterCallRetry.RunAsync(
                () => grains.GetGrain<ITaskCreatorGrain>(Random.Shared.Next(ITaskCreatorGrain.Keys)).Create(taskId, spec), _time,
                ClusterCallRetry.CreateTryTimeout, cancellationToken);
            return new EnqueueResult(record, Created: true);
        }
        catch (Exception ex)
        {
            TaskFlowTelemetry.Fail(activity, ex);
            throw;
        }
    }

    /// <inheritdoc />
    public async Task<BatchResult> EnqueueBatchAsync(IReadOnlyList<BatchItem> tasks, BatchItem? then = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        if (tasks.Count is 0 or > MaxBatch)
            throw new TaskValidationException("tasks", $"must list 1 to {MaxBatch} tasks (was {tasks.Count}).");
        // Every item is checked before anything is created: one bad item and nothing is enqueued.
        var specs = new TaskSpec[tasks.Count];
        for (var i = 0; i < tasks.Count; i++) specs[i] = await ValidateItemAsync(tasks[i], $"tasks[{i}]", cancellationToken);
        var thenSpec = then is null ? null : await ValidateItemAsync(then, "then", cancellationToken);

        var batchId = Guid.NewGuid();
        var taskIds = specs.Select(_ => Guid.NewGuid()).ToImmutableArray();
        Guid? thenId = thenSpec is null ? null : Guid.NewGuid();
        // The batch is stored first, so every member's end finds it; the then task next, waiting for the batch.
        var batch = grains.GetGrain<IBatchGrain>(batchId);
        await ClusterCallRetry.RunAsync(async () => { await batch.Open(taskIds, thenId); return batchId; }, _time, cancellationToken);
        if (thenSpec is not null) await SubmitSpecAsync(thenId!.Value, thenSpec with { AfterBatch = batchId }, cancellationToken);
        await Parallel.ForEachAsync(Enumerable.Range(0, specs.Length), new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken },
            async (i, ct) => await SubmitSpecAsync(taskIds[i], specs[i] with { BatchId = batchId }, ct));
        return new BatchResult(batchId, taskIds, thenId);
    }

    /// <inheritdoc />
    public Task<BatchInfo?> GetBatchAsync(Guid batchId, CancellationToken cancellationToken = default)
    {
        var batch = grains.GetGrain<IBatchGrain>(batchId);
        return ClusterCallRetry.RunAsync(() => batch.Describe(), _time, cancellationToken);
    }

    /// <summary>One batch item, checked like an enqueue; its faults are named under <paramref name="path"/>.</summary>
    private async Task<TaskSpec> ValidateItemAsync(BatchItem item, string path, CancellationToken cancellationToken)
    {
        try
        {
            if (item.Options?.IdempotencyKey is not null)
                throw new TaskValidationException("idempotencyKey", "is not accepted in a batch: every item creates a task.");
            var spec = Validate(item.Name, item.Args, item.Options);
            await CheckParentsAsync(spec, cancellationToken);
            return spec;
        }
        catch (TaskValidationException ex)
        {
            throw new TaskValidationException($"{path}.{ex.Field}", ex.Problem);
        }
    }

    /// <inheritdoc />
    public Task<TaskRecord?> GetAsync(Guid taskId, CancellationToken cancellationToken = default)
    {
        var task = grains.Reference<ITaskGrain>(taskId);
        return ClusterCallRetry.RunAsync(() => task.Get(), _time, cancellationToken);
    }

    /// <inheritdoc />
    public async Task<CancelResult> CancelAsync(Guid taskId, CancellationToken cancellationToken = default)
    {
        var outcome = await grains.Reference<ITaskGrain>(taskId).Cancel().WaitAsync(cancellationToken);
        return new CancelResult(outcome.Record is not null, outcome.Accepted, outcome.Record, outcome.Reason);
    }

    /// <inheritdoc />
    public async Task<ReplayResult> ReplayAsync(Guid taskId, bool dryRun = false, CancellationToken cancellationToken = default)
    {
        var original = await GetAsync(taskId, cancellationToken);
        if (original is null) return new ReplayResult(taskId, null, "no task has this id", Found: false);
        if (!original.Status.IsReplayable())
            return new ReplayResult(taskId, null, $"the task is {original.Status.ToString().ToLowerInvariant()}; only failed, interrupted or cancelled tasks are replayed", Found: true);
        if (!registry.TryGet(original.Name, out _))
            return new ReplayResult(taskId, null, $"the task '{original.Name}' is no longer registered", Found: true);
        if (dryRun) return new ReplayResult(taskId, null, null, Found: true);

        var replay = await SubmitSpecAsync(new TaskSpec
        {
            Name = original.Name,
            ArgsJson = original.ArgsJson,
            Priority = original.Priority,
            Tags = original.Tags,
            Source = TaskSource.Replay,
            ReplayOf = original.TaskId,
        }, cancellationToken);
        return new ReplayResult(taskId, replay.Record.TaskId, null, Found: true);
    }

    private static TaskSpec BuildSpec(string name, string argsJson, EnqueueOptions? options, DateTimeOffset now)
    {
        options ??= new EnqueueOptions();
        if (options.IdempotencyKey is { } key && (key.Length == 0 || key.Length > MaxIdempotencyKeyLength))
            throw new TaskValidationException("idempotencyKey", $"must be 1 to {MaxIdempotencyKeyLength} characters.");
        if (options.Delay is { } delay && (delay < TimeSpan.Zero || delay > MaxDelay))
            throw new TaskValidationException("delaySeconds", $"must be from 0 to {MaxDelay.TotalSeconds:0} seconds.");
        if (options.RunAt is not null && options.Delay is not null)
            throw new TaskValidationException("runAt", "cannot be given with delaySeconds; give one or the other.");
        if (options.RunAt > now + MaxDelay)
            throw new TaskValidationException("runAt", $"must be at most {MaxDelay.TotalDays:0} days ahead (was {options.RunAt:O}).");

        var after = ImmutableArray<Guid>.Empty;
        if (options.After is { } parents)
        {
            if (parents.Count is 0 or > MaxParents)
                throw new TaskValidationException("after", $"must list 1 to {MaxParents} task ids (was {parents.Count}).");
            for (var i = 0; i < parents.Count; i++)
            {
                if (parents[i] == Guid.Empty || parents.Take(i).Contains(parents[i]))
                    throw new TaskValidationException($"after[{i}]", parents[i] == Guid.Empty ? "is not a task id." : "is listed twice.");
            }
            after = [.. parents];
        }
        else if (options.AfterPolicy != ContinuationPolicy.Success)
            throw new TaskValidationException("afterPolicy", "applies only with 'after'.");

        var tags = ImmutableDictionary<string, string>.Empty;
        if (options.Tags is { } given)
        {
            if (given.Count > MaxTags)
                throw new TaskValidationException("tags", $"at most {MaxTags} tags are accepted (was {given.Count}).");
            foreach (var (tagKey, value) in given)
            {
                if (string.IsNullOrEmpty(tagKey) || tagKey.Length > MaxTagKeyLength)
                    throw new TaskValidationException("tags", $"tag names must be 1 to {MaxTagKeyLength} characters.");
                if (value is null || value.Length > MaxTagValueLength)
                    throw new TaskValidationException($"tags.{tagKey}", $"must be a string of at most {MaxTagValueLength} characters.");
            }
            tags = given.ToImmutableDictionary(StringComparer.Ordinal);
        }

        return new TaskSpec
        {
            Name = name,
            ArgsJson = argsJson,
            Priority = options.Priority,
            IdempotencyKey = options.IdempotencyKey,
            Tags = tags,
            DelaySeconds = options.Delay?.TotalSeconds ?? 0,
            RunAt = options.RunAt,
            Source = TaskSource.Api,
            After = after,
            AfterPolicy = options.AfterPolicy,
        };
    }
}
