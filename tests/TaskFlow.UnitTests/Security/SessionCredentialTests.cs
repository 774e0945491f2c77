using System.Net;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TaskFlow.Security;

namespace TaskFlow.UnitTests.Security;

/// <summary>A session ends when its user's password changes: the ticket carries a fingerprint of the credential.</summary>
public sealed class SessionCredentialTests
{
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 25, 10, 0, 0, TimeSpan.Zero));

    private DashboardUsers Users(string password)
    {
        var options = Options.Create(new TaskFlowDashboardOptions
        {
            Users = { ["alice"] = new TaskFlowDashboardUser { Password = password, Role = TaskFlowRoles.Admin } },
        });
        return new DashboardUsers(options, new LoginBrake(options, _time), _time, NullLogger<DashboardUsers>.Instance);
    }

    [Fact]
    public void A_session_stays_valid_while_the_password_is_unchanged_and_ends_when_it_changes()
    {
        var principal = Users("first-Secret-1").Check("alice", "first-Secret-1", IPAddress.Loopback, "test").Principal!;
        Assert.True(Users("first-Secret-1").StillValid(principal));
        Assert.False(Users("second-Secret-2").StillValid(principal));
    }

    [Fact]
    public void The_fingerprint_is_not_the_password()
    {
        var principal = Users("first-Secret-1").Check("alice", "first-Secret-1", IPAddress.Loopback, "test").Principal!;
        var fingerprint = principal.FindFirst(DashboardUsers.CredentialClaim)!.Value;
        Assert.DoesNotContain("first-Secret-1", fingerprint, StringComparison.Ordinal);
        Assert.Equal(32, fingerprint.Length);
    }
}
