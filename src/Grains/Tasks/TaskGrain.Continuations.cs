using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TaskFlow.Grains;

namespace TaskFlow.Tasks;

/// <summary>The task grain's continuation links (see <see cref="ContinuationLifecycle"/> for the rules): a continuation
/// registers with each parent and its batch; a parent stores the continuations that registered with it, and once its
/// end is stored tells them (one-way) and its batch (acknowledged after the batch stored it).</summary>
internal sealed partial class TaskGrain : ITaskContinuation
{
    /// <summary>How soon a registration that could not reach a parent is tried again.</summary>
    private static readonly TimeSpan RegisterRetryPeriod = TimeSpan.FromSeconds(2);

    /// <summary>Tries of a batch notice before it is left to the batch's own check of its members.</summary>
    private const int BatchNoticeTries = 5;

    private IGrainTimer? _registerRetry;

    private TimeProvider Clock => ServiceProvider.GetRequiredService<TimeProvider>();

    private ILogger Logger => ServiceProvider.GetRequiredService<ILogger<TaskGrain>>();

    public async Task<TaskRunStatus?> Register(Guid childId)
    {
        await KnowAsync();
        if (!Exists) return TaskRunStatus.Cancelled;
        if (State.Status.IsTerminal()) return State.Status;
        await ApplyAsync(new TaskEvent.ContinuationAdded(Clock.GetUtcNow(), childId));
        return null;
    }

    public async Task ParentFinished(Guid parentId, TaskRunStatus status)
    {
        await KnowAsync();
        if (!Exists) return;
        await ApplyAsync(new TaskEvent.ParentFinished(Clock.GetUtcNow(), parentId, status));
    }

    public Task Wake() => KnowAsync();

    /// <summary>Registers with what the task still waits for; ends already reached are applied at once. A parent that
    /// cannot be reached (its silo dying) is asked again shortly: the continuation's state is stored, so nothing is lost.</summary>
    private async Task RegisterWithParentsAsync(TaskEffect.RegisterWithParents register)
    {
        var answers = new List<(Guid Parent, TaskRunStatus Status)>();
        try
        {
            var calls = register.Parents.Select(async p => (p, await GrainFactory.GetGrain<ITaskContinuation>(p).Register(TaskId))).ToList();
            foreach (var (parent, status) in await Task.WhenAll(calls))
            {
                if (status is { } ended) answers.Add((parent, ended));
            }
            if (register.Batch is { } batch && await GrainFactory.GetGrain<IBatchGrain>(batch).AwaitEnd(TaskId))
                answers.Add((batch, TaskRunStatus.Success));
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            Log.ContinuationRegisterFailed(Logger, TaskId, ex);
            ScheduleRegisterRetry();
        }

        foreach (var (parent, status) in answers)
        {
            if (State.Status != TaskRunStatus.Awaiting) break;
            await ApplyAsync(new TaskEvent.ParentFinished(Clock.GetUtcNow(), parent, status));
        }
    }

    private void ScheduleRegisterRetry()
    {
        _registerRetry?.Dispose();
        _registerRetry = this.RegisterGrainTimer(async () =>
        {
            _registerRetry?.Dispose();
            _registerRetry = null;
            if (Exists && State.Status == TaskRunStatus.Awaiting)
                await RegisterWithParentsAsync(ContinuationLifecycle.Unresolved(State));
        }, new GrainTimerCreationOptions { DueTime = RegisterRetryPeriod, Period = Timeout.InfiniteTimeSpan, KeepAlive = true });
    }

    /// <summary>Tells the continuations (one-way: each stored its wait, and registers again on its next activation) and
    /// the batch (awaited and tried again, since the batch counts what it stored).</summary>
    private void NotifyFinished(TaskEffect.NotifyFinished notice)
    {
        foreach (var child in notice.Continuations)
            _ = GrainFactory.GetGrain<ITaskContinuation>(child).ParentFinished(TaskId, notice.Status);
        if (notice.Batch is { } batch) _ = NotifyBatchAsync(batch, notice.Status);
    }

    private async Task NotifyBatchAsync(Guid batch, TaskRunStatus status)
    {
        var wait = TimeSpan.FromMilliseconds(200);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await GrainFactory.GetGrain<IBatchGrain>(batch).MemberFinished(TaskId, status);
                return;
            }
            catch (Exception ex) when (attempt < BatchNoticeTries)
            {
                Log.BatchNoticeFailed(Logger, TaskId, batch, ex);
                await Task.Delay(wait, Clock);
                wait *= 2;
            }
            catch (Exception ex)
            {
                Log.BatchNoticeFailed(Logger, TaskId, batch, ex);
                return;
            }
        }
    }
}
