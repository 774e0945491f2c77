using Orleans.Storage;
using TaskFlow.Idempotency;
using TaskFlow.Scheduling;

namespace TaskFlow.IntegrationTests.Storage;

/// <summary>What the <c>taskflow</c> grain storage must do for the grains that use it (schedules, the schedule
/// directory, idempotency keys, the audit log), run against each provider's storage by a subclass.</summary>
public abstract class GrainStorageContractTests : IAsyncLifetime
{
    protected static readonly DateTimeOffset T0 = new(2026, 12, 1, 9, 0, 0, TimeSpan.Zero);
    protected static readonly GrainId Nightly = GrainId.Create("taskflow.schedule", "nightly");
    protected static readonly GrainId ScheduleDirectory = GrainId.Create(GrainType.Create("taskflow.schedule-directory"), GrainIdKeyExtensions.CreateIntegerKey(0));

    /// <summary>The storage under test, over an empty database.</summary>
    protected IGrainStorage Storage { get; private set; } = null!;

    /// <summary>A new storage over an empty database.</summary>
    protected abstract Task<IGrainStorage> CreateStorageAsync();

    /// <summary>Releases what <see cref="CreateStorageAsync"/> made.</summary>
    protected abstract Task DeleteDatabaseAsync();

    public async Task InitializeAsync() => Storage = await CreateStorageAsync();

    public Task DisposeAsync() => DeleteDatabaseAsync();

    protected static ScheduleState Fired(int minutes) => new()
    {
        LastOccurrence = T0.AddMinutes(minutes),
        LastTaskId = Guid.NewGuid(),
        LastFiredAt = T0.AddMinutes(minutes).AddMilliseconds(3),
        LastFiredOccurrence = T0.AddMinutes(minutes),
        LastTaskCreated = true,
        StartupFired = true,
    };

    protected async Task<GrainState<ScheduleState>> ReadAsync(GrainId grain)
    {
        var state = new GrainState<ScheduleState>(new ScheduleState());
        await Storage.ReadStateAsync("schedule", grain, state);
        return state;
    }

    [Fact]
    public async Task A_state_reads_back_as_written_with_a_new_version_on_every_write()
    {
        var state = new GrainState<ScheduleState>(Fired(0));
        await Storage.WriteStateAsync("schedule", Nightly, state);
        var first = state.ETag;
        state.State = Fired(5);
        await Storage.WriteStateAsync("schedule", Nightly, state);

        var read = await ReadAsync(Nightly);

        Assert.NotNull(first);
        Assert.NotEqual(first, state.ETag);
        Assert.True(read.RecordExists);
        Assert.Equal(state.ETag, read.ETag);
        Assert.Equivalent(state.State, read.State, strict: true);
    }

    [Fact]
    public async Task A_stale_version_or_a_second_create_is_refused()
    {
        var winner = new GrainState<ScheduleState>(Fired(0));
        await Storage.WriteStateAsync("schedule", Nightly, winner);
        var stale = new GrainState<ScheduleState>(Fired(0), winner.ETag);
        await Storage.WriteStateAsync("schedule", Nightly, winner);

        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync("schedule", Nightly, stale));
        await Assert.ThrowsAsync<InconsistentStateException>(() => Storage.WriteStateAsync("schedule", Nightly, new GrainState<ScheduleState>(Fired(5))));
        Assert.Equal(winner.ETag, (await ReadAsync(Nightly)).ETag);
    }

    [Fact]
    public async Task A_cleared_state_reads_as_never_written_and_can_be_written_again()
    {
        var state = new GrainState<ScheduleState>(Fired(0));
        await Storage.WriteStateAsync("schedule", Nightly, state);

        await Storage.ClearStateAsync("schedule", Nightly, state);
        var cleared = await ReadAsync(Nightly);
        cleared.State = Fired(10);
        await Storage.WriteStateAsync("schedule", Nightly, cleared);

        Assert.False(state.RecordExists);
        Assert.Equal(T0.AddMinutes(10), (await ReadAsync(Nightly)).State!.LastOccurrence);
    }

    [Fact]
    public async Task A_state_never_written_reads_as_no_record()
    {
        var read = await ReadAsync(GrainId.Create("taskflow.schedule", "never-written"));

        Assert.False(read.RecordExists);
        Assert.Null(read.ETag);
    }

    [Fact]
    public async Task Keys_and_state_names_keep_states_apart()
    {
        await Storage.WriteStateAsync("schedule", Nightly, new GrainState<ScheduleState>(Fired(0)));
        await Storage.WriteStateAsync("schedule", GrainId.Create("taskflow.schedule", "Nightly"), new GrainState<ScheduleState>(Fired(1)));
        var directory = new GrainState<ScheduleDirectoryState>(new ScheduleDirectoryState { Known = ["nightly", "Nightly"] });
        await Storage.WriteStateAsync("schedules", ScheduleDirectory, directory);
        var key = new GrainState<IdempotencyState>(new IdempotencyState { TaskId = Guid.NewGuid() });
        await Storage.WriteStateAsync("key", GrainId.Create("taskflow.idempotency", "order-42 ✓"), key);

        var readKey = new GrainState<IdempotencyState>(new IdempotencyState());
        await Storage.ReadStateAsync("key", GrainId.Create("taskflow.idempotency", "order-42 ✓"), readKey);
        var readDirectory = new GrainState<ScheduleDirectoryState>(new ScheduleDirectoryState());
        await Storage.ReadStateAsync("schedules", ScheduleDirectory, readDirectory);

        Assert.Equal(T0, (await ReadAsync(Nightly)).State!.LastOccurrence);
        Assert.Equal(T0.AddMinutes(1), (await ReadAsync(GrainId.Create("taskflow.schedule", "Nightly"))).State!.LastOccurrence);
        Assert.Equal(key.State!.TaskId, readKey.State!.TaskId);
        Assert.Equal(["nightly", "Nightly"], readDirectory.State!.Known);
    }

    [Fact]
    public async Task A_runtime_schedule_and_the_directory_listing_it_are_read_back_as_written()
    {
        var spec = new ScheduleSpec
        {
            Name = "eu_digest", Task = "send_daily_digest", ArgsJson = """{"region":"eu"}""", Cron = "0 8 * * 1-5",
            TimeZone = "Europe/Paris", Misfire = MisfirePolicy.Skip, Overlap = OverlapPolicy.Skip,
        };
        var eu = GrainId.Create("taskflow.schedule", "eu_digest");
        await Storage.WriteStateAsync("schedule", eu, new GrainState<ScheduleState>(new ScheduleState { Spec = spec, Paused = true }));
        await Storage.WriteStateAsync("schedules", ScheduleDirectory,
            new GrainState<ScheduleDirectoryState>(new ScheduleDirectoryState { Known = ["nightly"], Runtime = ["eu_digest"] }));

        var read = await ReadAsync(eu);
        var directory = new GrainState<ScheduleDirectoryState>(new ScheduleDirectoryState());
        await Storage.ReadStateAsync("schedules", ScheduleDirectory, directory);

        Assert.Equal(spec, read.State!.Spec);
        Assert.True(read.State.Paused);
        Assert.Equal(["eu_digest"], directory.State!.Runtime);
    }
}
