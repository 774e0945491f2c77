using System.Collections.Immutable;
using System.Globalization;
using Microsoft.Extensions.Logging;
using TaskFlow.Grains;
using TaskFlow.Storage;

namespace TaskFlow.Scheduling;

/// <summary>One schedule, defined in code (the registry) or at runtime (its stored <see cref="ScheduleState.Spec"/>).
/// Woken precisely by a grain timer at each occurrence, and durably by an Orleans reminder (every minute) so it comes
/// back after its silo dies even if nothing else calls it. Each fire stores the occurrence and the new task's id before
/// creating the task.</summary>
[GrainType("taskflow.schedule")]
internal sealed class ScheduleGrain(
    [PersistentState("schedule", TaskFlowStorage.Name)] IPersistentState<ScheduleState> store,
    TaskRegistry registry,
    TimeProvider time,
    ILogger<ScheduleGrain> logger) : Grain, IScheduleGrain, IRemindable
{
    private const string ReminderName = "taskflow-schedule";

    /// <summary>How soon a tick that failed (a store outage, a silo it called dying) is tried again.</summary>
    internal static readonly TimeSpan RetryAfterFailure = TimeSpan.FromSeconds(1);

    private IGrainTimer? _timer;
    private ScheduleDefinition? _definition;

    /// <summary>Set when a tick failed part-way: the state in memory may be ahead of the store, so the next tick reads
    /// the stored state first and finishes the fire it holds (same task id) rather than firing anew.</summary>
    private bool _reread;

    private string Name => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!registry.TryGetSchedule(Name, out _definition) && store.State.Spec is { } spec) _definition = Rebuild(spec);
        if (_definition is null) return;
        if (_definition.IsRuntime)
        {
            // A create whose silo died between storing the schedule and listing it is listed now; best effort, as
            // the schedule fires whether or not it is listed.
            try
            {
                await Directory.SetRuntime(Name, true);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                Log.ScheduleWakeFailed(logger, "(directory)", ex);
            }
        }
        await StartAsync();
    }

    private IScheduleDirectoryGrain Directory => GrainFactory.GetGrain<IScheduleDirectoryGrain>(0);

    private async Task StartAsync()
    {
        await this.RegisterOrUpdateReminder(ReminderName, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        await TickSafelyAsync();
    }

    private ScheduleDefinition? Rebuild(ScheduleSpec spec)
    {
        try
        {
            return ScheduleSpecValidator.Build(spec);
        }
        catch (TaskValidationException ex)
        {
            Log.ScheduleTickFailed(logger, Name, ex);
            return null;
        }
    }

    public async Task<ScheduleChange> Create(ScheduleSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (_definition is not null) return new ScheduleChange(ScheduleChangeStatus.NameTaken, await Describe());
        var definition = ScheduleSpecValidator.Build(spec with { Name = Name });
        store.State = new ScheduleState { Spec = spec with { Name = Name } };
        await store.WriteStateAsync();
        _definition = definition;
        await Directory.SetRuntime(Name, true);
        await StartAsync();
        return new ScheduleChange(ScheduleChangeStatus.Done, await Describe());
    }

    public async Task<ScheduleChange> Replace(ScheduleSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (Refusal() is { } refused) return refused;
        var definition = ScheduleSpecValidator.Build(spec with { Name = Name });
        store.State.Spec = spec with { Name = Name };
        // The new timetable starts from now: occurrences of the old one are not caught up.
        store.State.LastOccurrence = time.GetUtcNow();
        await store.WriteStateAsync();
        _definition = definition;
        await TickSafelyAsync();
        return new ScheduleChange(ScheduleChangeStatus.Done, await Describe());
    }

    public async Task<ScheduleChange> Delete()
    {
        if (Refusal() is { } refused) return refused;
        _definition = null;
        await RetireAsync();
        store.State = new ScheduleState();
        await Directory.SetRuntime(Name, false);
        return new ScheduleChange(ScheduleChangeStatus.Done, null);
    }

    private ScheduleChange? Refusal() => _definition switch
    {
        null => new ScheduleChange(ScheduleChangeStatus.NotFound, null),
        { IsRuntime: false } => new ScheduleChange(ScheduleChangeStatus.DefinedInCode, null),
        _ => null,
    };

    /// <summary>Called by every silo's keeper every 2 s: wakes the grain (on a live silo, after its silo died) and ticks
    /// now when no timer is armed (a failed tick whose retry has not run yet, a paused schedule).</summary>
    public Task Ensure() => _definition is not null && _timer is null ? TickSafelyAsync() : Task.CompletedTask;

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (_definition is null)
        {
            // Removed from code since the reminder was registered.
            await RetireAsync();
            return;
        }
        if (_timer is null) await TickSafelyAsync();
    }

    public async Task<ScheduleInfo?> Describe()
    {
        if (_definition is null) return null;
        TaskRunStatus? lastStatus = null;
        if (store.State.LastTaskId is { } last && store.State.LastTaskCreated)
            lastStatus = (await GrainFactory.GetGrain<ITaskGrain>(last).Get())?.Status;
        return Info(lastStatus);
    }

    public async Task<ScheduleInfo?> Pause()
    {
        if (_definition is null) return null;
        store.State.Paused = true;
        await store.WriteStateAsync();
        return await Describe();
    }

    public async Task<ScheduleInfo?> Resume()
    {
        if (_definition is null) return null;
        store.State.Paused = false;
        // Occurrences that passed while paused are not caught up.
        store.State.LastOccurrence = time.GetUtcNow();
        await store.WriteStateAsync();
        await TickAsync();
        return await Describe();
    }

    public async Task<Guid?> Trigger()
    {
        if (_definition is null) return null;
        return await FireAsync(time.GetUtcNow(), manual: true);
    }

    public Task Retire() => RetireAsync();

    private async Task RetireAsync()
    {
        _timer?.Dispose();
        _timer = null;
        var reminder = await this.GetReminder(ReminderName);
        if (reminder is not null) await this.UnregisterReminder(reminder);
        if (store.RecordExists) await store.ClearStateAsync();
        this.DeactivateOnIdle();
    }

    /// <summary>A tick that fails never leaves the schedule unarmed: it is tried again after
    /// <see cref="RetryAfterFailure"/>, starting from the stored state.</summary>
    private async Task TickSafelyAsync()
    {
        try
        {
            await TickAsync();
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            _reread = true;
            Log.ScheduleTickFailed(logger, Name, ex);
            Arm(time.GetUtcNow() + RetryAfterFailure);
        }
    }

    private async Task TickAsync()
    {
        if (_definition is not { } schedule) return;
        if (_reread)
        {
            await store.ReadStateAsync();
            _reread = false;
        }
        await CompleteLastFireAsync();
        var now = time.GetUtcNow();

        if (schedule.RunOnStartup && !store.State.StartupFired && !store.State.Paused)
        {
            store.State.StartupFired = true;
            await FireAsync(now, manual: false);
        }

        var previousUnfinished = false;
        if (schedule.Overlap == OverlapPolicy.Skip && store.State.LastTaskId is { } last)
            previousUnfinished = (await GrainFactory.GetGrain<ITaskGrain>(last).Get()) is { } r && !r.Status.IsTerminal();

        // A runtime schedule whose task was removed from code since: its occurrences pass, as while paused.
        var idle = store.State.Paused || !registry.TryGet(schedule.Task, out _);
        var decision = ScheduleTimetable.Decide(schedule, store.State.LastOccurrence, now, idle, previousUnfinished);
        if (decision.Fire is { } occurrence)
        {
            store.State.LastOccurrence = decision.LastOccurrence;
            await FireAsync(occurrence, manual: false);
        }
        else if (store.State.LastOccurrence != decision.LastOccurrence)
        {
            if (decision.PassReason is { } reason) Log.OccurrencePassed(logger, Name, decision.LastOccurrence, reason);
            store.State.LastOccurrence = decision.LastOccurrence;
            await store.WriteStateAsync();
        }

        Arm(decision.WakeAt);
    }

    /// <summary>Stores the fire (occurrence and new task id) first, then creates the task, then records that it exists.
    /// A crash between the two writes is finished by <see cref="CompleteLastFireAsync"/> with the same task id.</summary>
    private async Task<Guid> FireAsync(DateTimeOffset occurrence, bool manual)
    {
        var taskId = Guid.NewGuid();
        store.State.LastTaskId = taskId;
        store.State.LastFiredAt = time.GetUtcNow();
        store.State.LastFiredOccurrence = occurrence;
        store.State.LastTaskCreated = false;
        using var activity = TaskFlowTelemetry.StartFire(Name, taskId, occurrence);
        try
        {
            await store.WriteStateAsync();
            await CreateTaskAsync(taskId, occurrence, manual, TaskFlowTelemetry.ContextForNewTask(activity));
            store.State.LastTaskCreated = true;
            await store.WriteStateAsync();
        }
        catch (Exception ex)
        {
            // Whether the first write committed is unknown: the stored state decides what the next tick does.
            _reread = true;
            TaskFlowTelemetry.Fail(activity, ex);
            throw;
        }
        Log.ScheduleFired(logger, Name, occurrence, taskId);
        return taskId;
    }

    private async Task CompleteLastFireAsync()
    {
        if (store.State is { LastTaskId: { } id, LastTaskCreated: false, LastFiredOccurrence: { } occurrence })
        {
            await CreateTaskAsync(id, occurrence, manual: false, TaskFlowTelemetry.ContextForNewTask(null));
            store.State.LastTaskCreated = true;
            await store.WriteStateAsync();
        }
    }

    private Task<TaskRecord> CreateTaskAsync(Guid taskId, DateTimeOffset occurrence, bool manual, string traceParent)
    {
        var tags = ImmutableDictionary<string, string>.Empty
            .Add(manual ? "triggeredAt" : "occurrence", occurrence.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        var spec = new TaskSpec
        {
            Name = _definition!.Task,
            ArgsJson = _definition.ArgsJson,
            Source = TaskSource.Scheduled,
            ScheduleName = Name,
            Tags = tags,
            TraceParent = traceParent,
        };
        // Bounded and repeated under the same id while the cluster changes: a task grain placed on a silo that just
        // died (or was cut off) answers nothing until the death is declared, and the schedule must not wait 30 s.
        // Through this silo's task creator (a stateless worker, local): the fire needs this silo and the store only.
        var creator = GrainFactory.GetGrain<ITaskCreatorGrain>(0);
        return ClusterCallRetry.RunAsync(() => creator.Create(taskId, spec), time, ClusterCallRetry.CreateTryTimeout, CancellationToken.None);
    }

    private void Arm(DateTimeOffset? wakeAt)
    {
        _timer?.Dispose();
        _timer = null;
        if (wakeAt is not { } at) return;
        var due = at - time.GetUtcNow();
        _timer = this.RegisterGrainTimer(async () =>
        {
            _timer = null;
            await TickSafelyAsync();
        }, new GrainTimerCreationOptions
        {
            DueTime = due > TimeSpan.Zero ? due : TimeSpan.Zero,
            Period = Timeout.InfiniteTimeSpan,
            KeepAlive = true,
        });
    }

    private ScheduleInfo Info(TaskRunStatus? lastStatus)
    {
        var schedule = _definition!;
        return new ScheduleInfo
        {
            Name = Name,
            EverySeconds = schedule.Every?.TotalSeconds,
            Cron = schedule.Cron,
            TimeZone = schedule.TimeZone.Id,
            NextRunAt = store.State.Paused ? null : schedule.NextAfter(time.GetUtcNow()),
            LastRunAt = store.State.LastFiredAt,
            LastTaskId = store.State.LastTaskId,
            LastStatus = lastStatus,
            Paused = store.State.Paused,
            Host = RuntimeIdentity,
            Task = schedule.Task,
            ArgsJson = schedule.ArgsJson,
            Runtime = schedule.IsRuntime,
            Misfire = schedule.Misfire,
            Overlap = schedule.Overlap,
        };
    }
}
