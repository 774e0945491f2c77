namespace TaskFlow.Scheduling;

/// <summary>What a schedule does at a wake-up: which occurrence (if any) to fire, which it passes over, and when to
/// wake next. Pure: no clock, no Orleans; unit tests drive it.</summary>
public static class ScheduleTimetable
{
    /// <summary>An occurrence later than this when the schedule wakes counts as missed (the misfire policy applies).</summary>
    public static readonly TimeSpan MisfireThreshold = TimeSpan.FromSeconds(5);

    /// <summary>Decides a wake-up at <paramref name="now"/>.</summary>
    /// <param name="schedule">The schedule.</param>
    /// <param name="lastOccurrence">The last occurrence already dealt with (fired or passed over); null for a new schedule.</param>
    /// <param name="now">The time of the wake-up.</param>
    /// <param name="paused">The schedule is paused: occurrences pass without firing.</param>
    /// <param name="previousRunUnfinished">The task fired last has not ended.</param>
    public static ScheduleDecision Decide(ScheduleDefinition schedule, DateTimeOffset? lastOccurrence, DateTimeOffset now,
        bool paused, bool previousRunUnfinished)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        // A new schedule starts from now: occurrences before it existed are not "missed".
        var from = lastOccurrence ?? now;
        DateTimeOffset? latest = null;
        var due = 0;
        for (var next = schedule.NextAfter(from); next is { } o && o <= now; next = schedule.NextAfter(o))
        {
            latest = o;
            due++;
            if (due > 10_000) break; // a long outage of a fast schedule: only the latest matters
        }

        var wakeAt = schedule.NextAfter(latest is { } l && l > now ? l : now);
        if (latest is not { } occurrence)
            return new ScheduleDecision(null, 0, lastOccurrence ?? now, wakeAt, null);

        string? passReason = null;
        if (paused) passReason = "paused";
        else if (now - occurrence > MisfireThreshold && schedule.Misfire == MisfirePolicy.Skip) passReason = "misfired";
        else if (previousRunUnfinished && schedule.Overlap == OverlapPolicy.Skip) passReason = "previous run unfinished";

        return passReason is null
            ? new ScheduleDecision(occurrence, due - 1, occurrence, wakeAt, null)
            : new ScheduleDecision(null, due, occurrence, wakeAt, passReason);
    }
}

/// <summary>The outcome of <see cref="ScheduleTimetable.Decide"/>.</summary>
/// <param name="Fire">The occurrence to fire now, if any.</param>
/// <param name="PassedOver">Occurrences dealt with without firing.</param>
/// <param name="LastOccurrence">The last occurrence dealt with after this decision (to store).</param>
/// <param name="WakeAt">When to wake next.</param>
/// <param name="PassReason">Why the latest occurrence did not fire.</param>
public sealed record ScheduleDecision(DateTimeOffset? Fire, int PassedOver, DateTimeOffset LastOccurrence, DateTimeOffset? WakeAt, string? PassReason);
