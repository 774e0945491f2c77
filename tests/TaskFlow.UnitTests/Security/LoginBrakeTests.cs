using System.Net;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TaskFlow.Security;

namespace TaskFlow.UnitTests.Security;

public sealed class LoginBrakeTests
{
    private static readonly IPAddress Address = IPAddress.Parse("198.51.100.7");
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));

    private LoginBrake Brake(int limit = 3, double lockoutSeconds = 30) =>
        new(Options.Create(new TaskFlowDashboardOptions { FailedLoginLimit = limit, FailedLoginLockoutSeconds = lockoutSeconds }), _time);

    [Fact]
    public void Failures_below_the_limit_do_not_hold()
    {
        var brake = Brake();
        brake.Failed("alice", Address);
        brake.Failed("alice", Address);
        Assert.Null(brake.HeldFor("alice", Address));
    }

    [Fact]
    public void The_limit_holds_for_the_lockout_then_releases()
    {
        var brake = Brake();
        for (var i = 0; i < 3; i++) brake.Failed("alice", Address);
        Assert.Equal(TimeSpan.FromSeconds(30), brake.HeldFor("alice", Address));
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.NotNull(brake.HeldFor("alice", Address));
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(brake.HeldFor("alice", Address));
    }

    [Fact]
    public void Each_further_failure_doubles_the_hold_up_to_fifteen_minutes()
    {
        var brake = Brake();
        for (var i = 0; i < 4; i++) brake.Failed("alice", Address);
        Assert.Equal(TimeSpan.FromSeconds(60), brake.HeldFor("alice", Address));
        for (var i = 0; i < 20; i++) brake.Failed("alice", Address);
        Assert.Equal(TimeSpan.FromMinutes(15), brake.HeldFor("alice", Address));
    }

    [Fact]
    public void The_hold_is_per_user_and_address_and_user_names_ignore_case()
    {
        var brake = Brake();
        for (var i = 0; i < 3; i++) brake.Failed("Alice", Address);
        Assert.NotNull(brake.HeldFor("alice", Address));
        Assert.Null(brake.HeldFor("bob", Address));
        Assert.Null(brake.HeldFor("alice", IPAddress.Parse("203.0.113.9")));
    }

    [Fact]
    public void One_address_trying_many_names_is_held_after_four_times_the_limit()
    {
        var brake = Brake();
        for (var i = 0; i < 12; i++) brake.Failed($"user{i}", Address);
        Assert.NotNull(brake.HeldFor("someone-new", Address));
        Assert.Null(brake.HeldFor("someone-new", IPAddress.Parse("203.0.113.9")));
    }

    [Fact]
    public void Failures_are_forgotten_fifteen_minutes_after_the_last_one_and_on_success()
    {
        var brake = Brake();
        brake.Failed("alice", Address);
        brake.Failed("alice", Address);
        _time.Advance(TimeSpan.FromMinutes(16));
        brake.Failed("alice", Address);
        Assert.Null(brake.HeldFor("alice", Address));

        brake.Failed("alice", Address);
        brake.Succeeded("alice", Address);
        brake.Failed("alice", Address);
        Assert.Null(brake.HeldFor("alice", Address));
    }
}
