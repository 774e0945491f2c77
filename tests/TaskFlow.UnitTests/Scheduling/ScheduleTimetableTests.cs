using Microsoft.Extensions.DependencyInjection;
using TaskFlow.Scheduling;

namespace TaskFlow.UnitTests.Scheduling;

public sealed class ScheduleTimetableTests
{
    public sealed record NoArgs;

    public sealed class Job : ITaskHandler<NoArgs>
    {
        public Task RunAsync(NoArgs args, TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }

    private static ScheduleDefinition Every(TimeSpan every, Action<ScheduleOptionsBuilder>? configure = null) =>
        new TaskFlowBuilder(new ServiceCollection()).AddSchedule<Job>("s", every, configure).Registry.Schedules[0];

    private static ScheduleDefinition Cron(string cron, string zone = "America/New_York", Action<ScheduleOptionsBuilder>? configure = null) =>
        new TaskFlowBuilder(new ServiceCollection()).AddSchedule<Job>("s", cron, zone, configure).Registry.Schedules[0];

    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0, int second = 0) =>
        new(2026, month, day, hour, minute, second, TimeSpan.Zero);

    [Fact]
    public void Interval_occurrences_are_aligned_to_multiples_of_the_interval()
    {
        var schedule = Every(TimeSpan.FromMinutes(5));

        Assert.Equal(Utc(11, 24, 10, 5), schedule.NextAfter(Utc(11, 24, 10, 1, 30)));
        Assert.Equal(Utc(11, 24, 10, 10), schedule.NextAfter(Utc(11, 24, 10, 5)));
    }

    [Fact]
    public void Weekday_nine_oclock_in_New_York_follows_the_spring_forward_change()
    {
        var schedule = Cron("0 9 * * 1-5");

        // Friday 6 March 2026, 09:00 EST = 14:00 UTC; Monday 9 March, after the change, 09:00 EDT = 13:00 UTC.
        Assert.Equal(Utc(3, 6, 14), schedule.NextAfter(Utc(3, 6, 12)));
        Assert.Equal(Utc(3, 9, 13), schedule.NextAfter(Utc(3, 6, 14)));
    }

    [Fact]
    public void A_local_time_skipped_by_spring_forward_fires_once_at_the_transition()
    {
        var schedule = Cron("30 2 * * *");

        // 8 March 2026: clocks jump from 02:00 EST to 03:00 EDT; 02:30 does not exist. 03:00 EDT = 07:00 UTC.
        var fired = schedule.NextAfter(Utc(3, 8, 5));
        Assert.Equal(Utc(3, 8, 7), fired);
        Assert.Equal(Utc(3, 9, 6, 30), schedule.NextAfter(fired!.Value));
    }

    [Fact]
    public void A_local_time_repeated_by_fall_back_fires_once()
    {
        var schedule = Cron("30 1 * * *");

        // 1 November 2026: 01:30 happens at 05:30 UTC (EDT) and again at 06:30 UTC (EST); it fires at the first only.
        var first = schedule.NextAfter(Utc(11, 1, 4));
        Assert.Equal(Utc(11, 1, 5, 30), first);
        Assert.Equal(Utc(11, 2, 6, 30), schedule.NextAfter(first!.Value));
    }

    [Fact]
    public void Six_field_cron_has_seconds()
    {
        var schedule = Cron("*/15 * * * * *", "UTC");

        Assert.Equal(Utc(11, 24, 10, 0, 15), schedule.NextAfter(Utc(11, 24, 10, 0, 1)));
    }

    [Fact]
    public void A_new_schedule_starts_from_now_and_never_fires_the_past()
    {
        var decision = ScheduleTimetable.Decide(Every(TimeSpan.FromSeconds(10)), null, Utc(11, 24, 10, 0, 5), paused: false, previousRunUnfinished: false);

        Assert.Null(decision.Fire);
        Assert.Equal(Utc(11, 24, 10, 0, 10), decision.WakeAt);
    }

    [Fact]
    public void An_on_time_wake_up_fires_its_occurrence_and_wakes_at_the_next()
    {
        var decision = ScheduleTimetable.Decide(Every(TimeSpan.FromSeconds(10)), Utc(11, 24, 10, 0, 0), Utc(11, 24, 10, 0, 10).AddMilliseconds(3), false, false);

        Assert.Equal(Utc(11, 24, 10, 0, 10), decision.Fire);
        Assert.Equal(0, decision.PassedOver);
        Assert.Equal(Utc(11, 24, 10, 0, 10), decision.LastOccurrence);
        Assert.Equal(Utc(11, 24, 10, 0, 20), decision.WakeAt);
    }

    [Fact]
    public void After_an_outage_fire_once_fires_only_the_latest_missed_occurrence()
    {
        var decision = ScheduleTimetable.Decide(Every(TimeSpan.FromSeconds(10)), Utc(11, 24, 10, 0, 0), Utc(11, 24, 10, 1, 5), false, false);

        Assert.Equal(Utc(11, 24, 10, 1, 0), decision.Fire);
        Assert.Equal(5, decision.PassedOver);
        Assert.Equal(Utc(11, 24, 10, 1, 0), decision.LastOccurrence);
    }

    [Fact]
    public void After_an_outage_skip_fires_nothing_until_the_next_on_time_occurrence()
    {
        var schedule = Every(TimeSpan.FromSeconds(10), o => o.Misfire(MisfirePolicy.Skip));

        var decision = ScheduleTimetable.Decide(schedule, Utc(11, 24, 10, 0, 0), Utc(11, 24, 10, 1, 7), false, false);

        Assert.Null(decision.Fire);
        Assert.Equal(6, decision.PassedOver);
        Assert.Equal("misfired", decision.PassReason);
        Assert.Equal(Utc(11, 24, 10, 1, 0), decision.LastOccurrence);
        Assert.Equal(Utc(11, 24, 10, 1, 10), decision.WakeAt);
    }

    [Fact]
    public void Overlap_skip_passes_an_occurrence_while_the_previous_run_is_unfinished_and_allow_fires_it()
    {
        var skip = Every(TimeSpan.FromSeconds(10), o => o.Overlap(OverlapPolicy.Skip));
        var allow = Every(TimeSpan.FromSeconds(10));
        var now = Utc(11, 24, 10, 0, 10);

        Assert.Null(ScheduleTimetable.Decide(skip, Utc(11, 24, 10, 0, 0), now, false, previousRunUnfinished: true).Fire);
        Assert.NotNull(ScheduleTimetable.Decide(skip, Utc(11, 24, 10, 0, 0), now, false, previousRunUnfinished: false).Fire);
        Assert.NotNull(ScheduleTimetable.Decide(allow, Utc(11, 24, 10, 0, 0), now, false, previousRunUnfinished: true).Fire);
    }

    [Fact]
    public void A_paused_schedule_passes_its_occurrences()
    {
        var decision = ScheduleTimetable.Decide(Every(TimeSpan.FromSeconds(10)), Utc(11, 24, 10, 0, 0), Utc(11, 24, 10, 0, 10), paused: true, false);

        Assert.Null(decision.Fire);
        Assert.Equal("paused", decision.PassReason);
        Assert.Equal(Utc(11, 24, 10, 0, 10), decision.LastOccurrence);
    }

    [Theory]
    [InlineData("61 * * * *", "UTC", "invalid cron expression")]
    [InlineData("0 9 * * 1-5", "Mars/Olympus_Mons", "unknown time zone")]
    public void A_bad_cron_or_time_zone_fails_at_start_up_naming_the_schedule(string cron, string zone, string expected)
    {
        var ex = Assert.Throws<InvalidOperationException>(() =>
            new TaskFlowBuilder(new ServiceCollection()).AddSchedule<Job>("daily_digest", cron, zone));

        Assert.Contains("'daily_digest'", ex.Message, StringComparison.Ordinal);
        Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_interval_under_a_second_is_refused()
    {
        Assert.Throws<InvalidOperationException>(() =>
            new TaskFlowBuilder(new ServiceCollection()).AddSchedule<Job>("fast", TimeSpan.FromMilliseconds(200)));
    }
}
