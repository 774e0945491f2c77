using TaskFlow.Storage;

namespace TaskFlow.UnitTests.Storage;

public sealed class TaskCountDeltasTests
{
    [Fact]
    public void A_group_folds_into_one_delta_per_status_in_name_order()
    {
        var deltas = new TaskCountDeltas();

        deltas.Moved(null, "pending");
        deltas.Moved(null, "pending");
        deltas.Moved("pending", "running");
        deltas.Moved("running", "success");
        deltas.Moved("failed", null);

        Assert.Equal([("failed", -1L), ("pending", 1L), ("success", 1L)], deltas.Changes);
        Assert.False(deltas.IsEmpty);
    }

    [Fact]
    public void Changes_that_cancel_out_or_keep_the_status_leave_nothing_to_write()
    {
        var deltas = new TaskCountDeltas();

        deltas.Moved("running", "running");
        deltas.Moved(null, "pending");
        deltas.Moved("pending", null);

        Assert.Empty(deltas.Changes);
        Assert.True(deltas.IsEmpty);
    }

    [Theory]
    [InlineData(null, "1")]
    [InlineData("41", "42")]
    [InlineData("not a version", "0")]
    public void A_stored_write_gets_the_version_after_the_one_it_expected(string? expected, string next) =>
        Assert.Equal(next, new PendingWrite.State("t", "k", "{}", expected).NextETag);
}
