using TaskFlow.Security;

namespace TaskFlow.UnitTests.Security;

/// <summary>User names a client chose reach the log bounded and without control characters.</summary>
public sealed class LogTextTests
{
    [Fact]
    public void A_user_name_with_newlines_cannot_forge_a_log_line()
    {
        var logged = TaskFlow.Security.Log.Bounded("mallory\r\nwarn: TaskFlow user admin logged in");
        Assert.DoesNotContain('\n', logged);
        Assert.DoesNotContain('\r', logged);
        Assert.StartsWith("mallory??warn", logged, StringComparison.Ordinal);
    }

    [Fact]
    public void A_long_user_name_is_cut_and_says_how_long_it_was()
    {
        var logged = TaskFlow.Security.Log.Bounded(new string('a', 100_000));
        Assert.True(logged.Length < 100, logged);
        Assert.EndsWith("…(100000 chars)", logged, StringComparison.Ordinal);
    }

    [Fact]
    public void An_ordinary_name_is_kept()
    {
        Assert.Equal("alice", TaskFlow.Security.Log.Bounded("alice"));
        Assert.Equal("", TaskFlow.Security.Log.Bounded(null));
    }
}
