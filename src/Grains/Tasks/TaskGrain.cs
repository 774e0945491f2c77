using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskFlow.Events;
using TaskFlow.Grains;
using TaskFlow.Hosting;
using TaskFlow.Storage;

namespace TaskFlow.Tasks;

/// <summary>One task. Holds its state and its wake-up timer, asks the dispatcher for a slot, runs attempts off its own
/// scheduler so reads answer at once, and stores every transition before acting on it.</summary>
/// <remarks>The grain reads its stored state itself, on its first call, rather than through Orleans grain persistence
/// (which reads at every activation): a task created under a fresh id is written without being read first.</remarks>
[GrainType("taskflow.task")]
internal sealed partial class TaskGrain(
    TaskStates states,
    AttemptRunner runner,
    TaskRegistry registry,
    TimeProvider time,
    IOptions<TaskFlowOptions> options,
    ILocalSiloDetails silo,
    SiloDrain drain,
    SiloHealth health,
    SiloFence fence,
    Dispatch.DispatchAgent dispatch,
    TaskEventsRelay events,
    Telemetry.TaskFlowMetrics metrics,
    ILogger<TaskGrain> logger) : Grain, ITaskGrain, ITaskAttemptSink, ITaskAdoption
{
    private IGrainTimer? _wakeUp;
    private InFlightAttempt? _inFlight;
    private IGrainTimer? _leaseRenewal;
    private IGrainTimer? _storeRetry;
    private IGrainTimer? _fencedRetry;
    private (int Attempt, AttemptOutcome Outcome)? _unstoredOutcome;

    /// <summary>A slot grant counted in by the silo's drain whose attempt has not started yet; the attempt takes it over.</summary>
    private bool _attemptReserved;

    /// <summary>The state as stored, or as being written (readers see a transition while it is stored, as before).</summary>
    private TaskState? _state;
    private string? _etag;
    private bool _exists;

    /// <summary>A state whose write failed with the store going away: it may have committed all the same (the answer
    /// was lost, not the write). Resolved by the next write that meets a version conflict.</summary>
    private TaskState? _inDoubt;

    /// <summary>Completes once <see cref="_state"/> reflects the store: the first read (and recovery), or the optimistic
    /// create that made the read needless. Shared, because <see cref="Get"/> interleaves with every other call.</summary>
    private Task? _known;

    /// <summary>How often a transition that could not be stored is tried again.</summary>
    private static readonly TimeSpan StoreRetryPeriod = TimeSpan.FromSeconds(2);

    private Guid TaskId => this.GetPrimaryKey();

    private bool Exists => _exists;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Orleans runs an activation's first synchronous stretch (activation and the first message, up to an await that
        // really waits) under the activation's lock. A store read can complete synchronously and a recovery then calls
        // the dispatcher, which may be calling this task under its own lock at that moment (its rebuild): end the
        // stretch here so no call to another grain is made while holding the lock.
        await Task.Yield();
    }

    /// <summary>The task's state; only read where <see cref="Exists"/> (or a transition in progress) guarantees one.</summary>
    private TaskState State => _state ?? throw new InvalidOperationException($"Task {TaskId} has no state.");

    /// <summary>Makes sure the stored state is known before a call acts on it.</summary>
    private Task KnowAsync() => _known is { IsCompletedSuccessfully: true } ? Task.CompletedTask : KnowSlowAsync();

    private async Task KnowSlowAsync()
    {
        var known = _known ??= LoadAsync();
        try
        {
            await known;
        }
        catch when (ReferenceEquals(_known, known))
        {
            // A read or recovery that failed (store outage) is tried again by the next call.
            _known = null;
            throw;
        }
    }

    /// <summary>Reads the stored state; an unfinished task found by a fresh activation recovers (after a restart, a crash
    /// or a move): a running one is interrupted or queued again, a pending one asks for a slot again.</summary>
    private async Task LoadAsync()
    {
        var stored = await states.ReadAsync(TaskId);
        _state = stored?.Value;
        _etag = stored?.ETag;
        _exists = stored is not null;
        if (_exists && ContinuationLifecycle.Notice(State) is { } notice)
            NotifyFinished(notice); // A finished task tells its continuations and batch again: a notice lost with a dying silo is not lost for good.
        else if (_exists && !State.Status.IsTerminal())
        {
            var before = State.Status;
            var transition = await ApplyAsync(new TaskEvent.Recovered(time.GetUtcNow(), options.Value.RequeuePending));
            if (before == TaskRunStatus.Running)
                Log.TaskRecovered(logger, TaskId, State.Record.Name, transition.State.Status);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_inFlight is { } inFlight && Exists && State.Status == TaskRunStatus.Running)
        {
            // The host is going away with an attempt in flight (the shutdown grace is over): stop the handler and
            // record the interruption now, rather than leave it to the next activation.
            await inFlight.Cancellation.CancelAsync();
            _inFlight = null;
            await ApplyAsync(new TaskEvent.Interrupted(time.GetUtcNow()));
            await dispatch.FlushedAsync();
        }
        else if (Exists && State.Record.NextAttemptAt is not null && !State.Status.IsTerminal()
            && reason.ReasonCode == DeactivationReasonCode.ShuttingDown && health.AnotherSiloActive())
        {
            // A retry or delayed start waits on this activation's timer: hand it to a live silo now (the call is
            // routed to a new activation there) rather than leave it to the next store sweep.
            _ = Self.Resync();
        }
    }

    private ITaskGrain Self => GrainFactory.Reference<ITaskGrain>(TaskId);

    public async Task<TaskRecord> Create(TaskSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (_known is null && registry.TryGet(spec.Name, out var fresh))
        {
            // Nothing is known yet, and callers draw task ids at random: write without reading first. The insert is
            // conditional (no row with this id may exist), so an id that is taken after all (a schedule finishing a
            // half-done fire) is refused by the store and only then read, and the call goes on as for any stored task.
            var attempt = CreateUnreadAsync(spec, fresh);
            _known = attempt;
            try
            {
                if (await attempt) return State.Record;
            }
            catch when (ReferenceEquals(_known, attempt))
            {
                _known = null;
                throw;
            }
        }

        await KnowAsync();
        if (Exists) return State.Record;
        if (!registry.TryGet(spec.Name, out var registration))
            throw new ArgumentException($"'{spec.Name}' is not a registered task on this silo.", nameof(spec));
        await CreateNewAsync(spec, registration);
        return State.Record;
    }

    /// <summary>True when the task was created; false when the id was taken, in which case the stored task is now known.</summary>
    private async Task<bool> CreateUnreadAsync(TaskSpec spec, TaskRegistration registration)
    {
        try
        {
            await CreateNewAsync(spec, registration);
            return true;
        }
        catch (Orleans.Storage.InconsistentStateException)
        {
            await LoadAsync();
            return false;
        }
    }

    private async Task CreateNewAsync(TaskSpec spec, TaskRegistration registration)
    {
        var transition = TaskLifecycle.Create(TaskId, spec, registration.Options, time.GetUtcNow());
        await CommitAsync(transition);
        metrics.Enqueued(spec.Name);
        Log.TaskAccepted(logger, TaskId, spec.Name, transition.State.Record.Priority);
    }

    public async Task<TaskRecord?> Get()
    {
        await KnowAsync();
        if (!Exists) return null;
        var record = State.Record;
        if (_inFlight is { } inFlight && record.Status == TaskRunStatus.Running)
            record = record with { Logs = record.Logs.AddRange(inFlight.Logs.Snapshot()), Progress = inFlight.Logs.Progress };
        return record;
    }

    public async Task<CancelOutcome> Cancel()
    {
        await KnowAsync();
        if (!Exists) return new CancelOutcome(null, Accepted: false, "No task has this id.");
        var transition = await ApplyAsync(new TaskEvent.CancelRequested(time.GetUtcNow()));
        return new CancelOutcome(transition.State.Record, !transition.Refused, transition.Refusal);
    }

    public async Task Adopt(TaskState state, string etag)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (_known is { } known)
        {
            // Already read (a call got here first): what it read stands, unless it read nothing.
            try
            {
                await known;
            }
            catch
            {
                _known = null;
            }
            if (_known is not null && Exists)
            {
                // The created state is still the stored one (nothing has changed it since): it was never published.
                if (_etag == etag) PublishChange(State.Record);
                return;
            }
        }
        _state = state;
        _etag = etag;
        _exists = true;
        _known = Task.CompletedTask;
        PublishChange(state.Record);
        // A fresh task: the recovery step of a pending task asks for a slot (or arms the wake-up of a delayed one).
        await ApplyAsync(new TaskEvent.Recovered(time.GetUtcNow(), options.Value.RequeuePending));
    }

    public async Task Nudge()
    {
        // A task found missing before its creator stored it: look again.
        if (_known is { IsCompletedSuccessfully: true } && !Exists) _known = null;
        await ResyncAsync();
    }

    public Task Resync() => ResyncAsync();

    /// <summary>Tells the dispatcher what this task needs: its running slot renewed, a slot requested, or nothing.</summary>
    private async Task ResyncAsync()
    {
        await KnowAsync();
        var r = _state?.Record;
        if (!Exists || r is null)
            dispatch.Resynced(TaskId);
        else if (r.Status == TaskRunStatus.Running && _inFlight is not null)
            dispatch.Renew(TaskId, r.Name);
        else if (r.Status == TaskRunStatus.Pending && r.NextAttemptAt is null)
            dispatch.Request(new SlotRequest(TaskId, r.Name, r.Priority, r.CreatedAt));
        else
            dispatch.Resynced(TaskId);
    }

    public async Task Grant()
    {
        await KnowAsync();
        if (!Exists)
        {
            dispatch.Release(TaskId);
            return;
        }
        if (fence.IsIsolated)
        {
            // Cut off from the cluster: the slot goes back, and the task asks again shortly (here once contact is back, or
            // on another silo once this one is declared dead).
            dispatch.Release(TaskId);
            _fencedRetry?.Dispose();
            _fencedRetry = this.RegisterGrainTimer(() =>
            {
                _fencedRetry?.Dispose();
                _fencedRetry = null;
                return ResyncAsync();
            }, new GrainTimerCreationOptions { DueTime = SiloFence.Period * 2, Period = Timeout.InfiniteTimeSpan, KeepAlive = true });
            return;
        }
        if (!drain.TryBeginAttempt())
        {
            // This silo is stopping: the slot goes back, and the task moves to a live silo, whose activation asks
            // for a slot again (the call below reaches it once this activation is gone).
            Log.HandedOff(logger, TaskId, State.Record.Name);
            dispatch.Release(TaskId);
            // The request of the next activation must not reach the dispatcher before this release.
            await dispatch.FlushedAsync();
            DeactivateOnIdle();
            // With no other silo up (the whole cluster is stopping) the task waits in the store for the next start.
            if (health.AnotherSiloActive()) _ = Self.Resync();
            return;
        }
        _attemptReserved = true;
        try
        {
            await ApplyAsync(new TaskEvent.SlotGranted(time.GetUtcNow(), silo.SiloAddress.Endpoint.ToString()));
        }
        finally
        {
            // The grant was refused, or its write failed: no attempt runs.
            if (_attemptReserved)
            {
                _attemptReserved = false;
                drain.AttemptEnded();
            }
        }
    }

    public async Task AttemptEnded(int attempt, AttemptOutcome outcome)
    {
        ArgumentNullException.ThrowIfNull(outcome);
        if (_inFlight?.Attempt != attempt || !Exists || State.Record.AttemptCount != attempt) return;
        _inFlight.Cancellation.Dispose();
        _inFlight = null;
        _unstoredOutcome = (attempt, outcome);
        await StoreOutcomeAsync();
    }

    /// <summary>An attempt's outcome must reach the store. While the store is unreachable the outcome waits here and is
    /// retried every <see cref="StoreRetryPeriod"/>; the slot stays held (its lease keeps being renewed) until then, so a
    /// store outage neither loses a finished attempt nor lets it run again.</summary>
    private async Task StoreOutcomeAsync()
    {
        if (_unstoredOutcome is not var (attempt, outcome)) return;
        var withLogs = State with
        {
            Record = State.Record with
            {
                Logs = TaskLifecycle.AppendLogs(State.Record.Logs, outcome.Logs),
                Progress = outcome.Progress ?? State.Record.Progress,
            },
        };
        var transition = TaskLifecycle.Apply(withLogs, outcome.ToEvent());
        try
        {
            await CommitAsync(transition);
        }
        catch (Exception ex) when (IsStoreOutage(ex))
        {
            Log.OutcomeNotStored(logger, TaskId, withLogs.Record.Name, attempt, ex);
            _storeRetry?.Dispose();
            _storeRetry = this.RegisterGrainTimer(async () =>
            {
                _storeRetry?.Dispose();
                _storeRetry = null;
                await StoreOutcomeAsync();
            }, new GrainTimerCreationOptions { DueTime = StoreRetryPeriod, Period = Timeout.InfiniteTimeSpan, KeepAlive = true });
            return;
        }

        _unstoredOutcome = null;
        if (outcome.Result == AttemptResult.Failed && transition.State.Status == TaskRunStatus.Failed)
            Log.TaskFailed(logger, TaskId, withLogs.Record.Name, attempt, outcome.ErrorType ?? "", outcome.Error ?? "");
        else if (outcome.Result == AttemptResult.Failed)
            Log.AttemptFailed(logger, TaskId, withLogs.Record.Name, attempt, outcome.ErrorType ?? "", outcome.Error ?? "");
        Log.TaskTransitioned(logger, TaskId, withLogs.Record.Name, transition.State.Status, attempt);
    }

    private async Task<TaskTransition> ApplyAsync(TaskEvent evt)
    {
        var transition = TaskLifecycle.Apply(State, evt);
        await CommitAsync(transition);
        return transition;
    }

    /// <summary>Stores the new state first, then performs the effects: nothing is started or granted on the strength of
    /// a state that might not survive a crash.</summary>
    private async Task CommitAsync(TaskTransition transition)
    {
        if (transition.Refused) Log.EventRefused(logger, TaskId, transition.Refusal!);
        if (transition.Changed)
        {
            // What readers see must be what is stored: the new state is taken only once its write committed (a read
            // may interleave with the write, and a write that fails did not happen).
            var previous = _state;
            _etag = await WriteResolvingDoubtAsync(transition.State);
            _state = transition.State;
            _exists = true;
            if (previous?.Record is not { } before || before.Status != transition.State.Status || before.CancelRequested != transition.State.Record.CancelRequested)
                PublishChange(transition.State.Record);
            if (transition.State.Status.IsTerminal() && previous?.Status.IsTerminal() != true)
                metrics.Finished(transition.State.Record.Name, transition.State.Status);
        }

        foreach (var effect in transition.Effects)
            await PerformAsync(effect);
    }

    private async Task PerformAsync(TaskEffect effect)
    {
        switch (effect)
        {
            case TaskEffect.RequestSlot request:
                dispatch.Request(new SlotRequest(TaskId, State.Record.Name, request.Priority, request.DueAt));
                break;
            case TaskEffect.ReleaseSlot:
                StopLeaseRenewal();
                dispatch.Release(TaskId);
                break;
            case TaskEffect.WithdrawRequest:
                dispatch.Withdraw(TaskId);
                break;
            case TaskEffect.StartAttempt start:
                StartAttempt(start);
                break;
            case TaskEffect.ScheduleWakeUp wake:
                ScheduleWakeUp(wake.At);
                break;
            case TaskEffect.CancelWakeUp:
                _wakeUp?.Dispose();
                _wakeUp = null;
                break;
            case TaskEffect.SignalCancellation:
                if (_inFlight is { } inFlight) await inFlight.Cancellation.CancelAsync();
                break;
            case TaskEffect.RegisterWithParents register:
                await RegisterWithParentsAsync(register);
                break;
            case TaskEffect.NotifyFinished notice:
                NotifyFinished(notice);
                break;
            default:
                throw new InvalidOperationException($"Unknown effect {effect.GetType().Name}.");
        }
    }

    /// <summary>Tells the stream listeners (through this silo's relay) that the task's status changed; args, attempts and
    /// logs stay out of the event.</summary>
    private void PublishChange(TaskRecord record) =>
        events.Changed(record with { ArgsJson = "{}", Attempts = [], Logs = [] });

    private void StopLeaseRenewal()
    {
        _leaseRenewal?.Dispose();
        _leaseRenewal = null;
    }

    private void StartAttempt(TaskEffect.StartAttempt start)
    {
        var record = State.Record;
        var logs = new TaskLogBuffer(start.Attempt, time);
        var cancellation = new CancellationTokenSource();
        _inFlight = new InFlightAttempt(start.Attempt, logs, cancellation);
        // A running attempt keeps the activation alive; idle collection would otherwise orphan the handler.
        DelayDeactivation(start.Timeout is { } t ? t + TimeSpan.FromMinutes(1) : TimeSpan.FromDays(7));
        Log.AttemptStarted(logger, TaskId, record.Name, start.Attempt);
        StopLeaseRenewal();
        _leaseRenewal = this.RegisterGrainTimer(
            () =>
            {
                dispatch.Renew(TaskId, record.Name);
                return Task.CompletedTask;
            },
            new GrainTimerCreationOptions
            {
                DueTime = Dispatch.DispatchTimings.RenewPeriod, Period = Dispatch.DispatchTimings.RenewPeriod, Interleave = true, KeepAlive = true,
            });

        var self = GrainFactory.Reference<ITaskAttemptSink>(TaskId);
        var maxAttempts = State.Options.Retries + 1;
        var token = cancellation.Token;
        var interruption = fence.Token;
        // The drain's count of this attempt now ends when its outcome is stored (or can no longer be).
        var counted = _attemptReserved;
        _attemptReserved = false;
        _ = Task.Run(async () =>
        {
            var outcome = await runner.RunAsync(record, start.Attempt, maxAttempts, start.Timeout, logs, token, interruption);
            try
            {
                await self.AttemptEnded(start.Attempt, outcome);
            }
            catch (Exception ex)
            {
                // The activation is gone (silo stopping): the next activation recovers the task from its stored state.
                Log.AttemptReportLost(logger, record.TaskId, record.Name, start.Attempt, ex);
            }
            finally
            {
                if (counted) drain.AttemptEnded();
            }
        }, CancellationToken.None);
    }

    private void ScheduleWakeUp(DateTimeOffset at)
    {
        _wakeUp?.Dispose();
        var due = at - time.GetUtcNow();
        _wakeUp = this.RegisterGrainTimer(
            async () =>
            {
                _wakeUp?.Dispose();
                _wakeUp = null;
                try
                {
                    await ApplyAsync(new TaskEvent.WakeUpDue(time.GetUtcNow()));
                }
                catch (Exception ex) when (IsStoreOutage(ex))
                {
                    // The store is down: the retry is not lost, it is tried again shortly.
                    Log.OutcomeNotStored(logger, TaskId, State.Record.Name, State.Record.AttemptCount, ex);
                    ScheduleWakeUp(time.GetUtcNow() + StoreRetryPeriod);
                }
            },
            new GrainTimerCreationOptions
            {
                DueTime = due > TimeSpan.Zero ? due : TimeSpan.Zero,
                Period = Timeout.InfiniteTimeSpan,
                Interleave = false,
                KeepAlive = true,
            });
    }

    /// <summary>Orleans may wrap a storage provider's exception; an outage is one anywhere in the chain.</summary>
    /// <summary>Writes conditionally on the version this grain knows. After a write whose answer was lost in an outage,
    /// a version conflict is expected when that write did commit: the stored state is then read, and if it is the
    /// doubted step (same status, attempts and cancel request) its version is taken and the write goes ahead. Without
    /// this, a committed-but-unanswered write would leave the grain behind its own row, and the task would end up
    /// interrupted on its next activation instead of finishing.</summary>
    private async Task<string> WriteResolvingDoubtAsync(TaskState state)
    {
        try
        {
            var etag = await states.WriteAsync(state, _etag);
            _inDoubt = null;
            return etag;
        }
        catch (Exception ex) when (IsStoreOutage(ex))
        {
            _inDoubt = state;
            throw;
        }
        catch (Orleans.Storage.InconsistentStateException) when (_inDoubt is not null)
        {
            var doubted = _inDoubt;
            _inDoubt = null;
            var stored = await states.ReadAsync(TaskId);
            if (stored is null || !SameStep(stored.Value, doubted)) throw;
            Log.DoubtResolved(logger, TaskId, stored.Value.Record.Name, stored.Value.Status);
            _etag = stored.ETag;
            return await states.WriteAsync(state, _etag);
        }
    }

    private static bool SameStep(TaskState stored, TaskState doubted) =>
        stored.Status == doubted.Status && stored.Record.Attempts.Length == doubted.Record.Attempts.Length &&
        stored.Record.CancelRequested == doubted.Record.CancelRequested && stored.Interruptions == doubted.Interruptions;

    private static bool IsStoreOutage(Exception ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            if (e is TaskStoreUnavailableException or TimeoutException) return true;
        }
        return false;
    }

    private sealed record InFlightAttempt(int Attempt, TaskLogBuffer Logs, CancellationTokenSource Cancellation);
}
