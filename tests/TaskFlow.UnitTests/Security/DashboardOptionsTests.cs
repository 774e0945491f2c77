using TaskFlow.Security;

namespace TaskFlow.UnitTests.Security;

public sealed class DashboardOptionsTests
{
    [Fact]
    public void No_users_and_no_policy_means_loopback_only()
    {
        Assert.Equal(TaskFlowAccessMode.LoopbackOnly, new TaskFlowDashboardOptions().Mode);
        Assert.Empty(new TaskFlowDashboardOptions().Validate());
    }

    [Fact]
    public void Every_unusable_user_is_named()
    {
        var options = new TaskFlowDashboardOptions
        {
            Users =
            {
                ["ann"] = new TaskFlowDashboardUser { Password = "x", Role = "root" },
                ["ben"] = new TaskFlowDashboardUser { Role = "admin" },
                ["cy"] = new TaskFlowDashboardUser { Password = "x", PasswordHash = PasswordHashes.Hash("x"), Role = "viewer" },
                ["dee"] = new TaskFlowDashboardUser { PasswordHash = "md5:abc", Role = "viewer" },
                ["eve"] = new TaskFlowDashboardUser { PasswordHash = PasswordHashes.Hash("x"), Role = "viewer" },
            },
        };
        var problems = options.Validate().ToList();
        Assert.Contains(problems, p => p.StartsWith("TaskFlow:Dashboard:Users:ann:Role must be 'admin' or 'viewer'", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("TaskFlow:Dashboard:Users:ben: set exactly one", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("TaskFlow:Dashboard:Users:cy: set exactly one", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.StartsWith("TaskFlow:Dashboard:Users:dee:PasswordHash", StringComparison.Ordinal));
        Assert.DoesNotContain(problems, p => p.Contains(":eve", StringComparison.Ordinal));
        Assert.Equal(TaskFlowAccessMode.Users, options.Mode);
    }

    [Fact]
    public void Users_and_a_policy_together_are_refused()
    {
        var options = new TaskFlowDashboardOptions { Policy = "Ops", Users = { ["ann"] = new TaskFlowDashboardUser { Password = "x" } } };
        Assert.Contains(options.Validate(), p => p.Contains("either Users or Policy", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/tasks/dashboard", true)]
    [InlineData("/tasks/dashboard?status=failed#task/1", true)]
    [InlineData("//evil.example/", false)]
    [InlineData("/\\evil.example", false)]
    [InlineData("https://evil.example/", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void Only_local_paths_are_followed_after_login(string? url, bool local)
    {
        Assert.Equal(local, LoginEndpoints.IsLocal(url));
    }
}
