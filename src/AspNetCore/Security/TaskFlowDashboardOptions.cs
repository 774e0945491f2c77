namespace TaskFlow.Security;

/// <summary>The <c>TaskFlow:Dashboard</c> section: who may use the dashboard and the admin API.
/// No users and no policy: loopback only. Users: a login form (cookie) and HTTP Basic, roles <c>admin</c> and
/// <c>viewer</c>. Policy: an ASP.NET Core authorization policy of the app decides, with the app's authentication.</summary>
public sealed class TaskFlowDashboardOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "TaskFlow:Dashboard";

    /// <summary>Users by name, e.g. <c>TaskFlow:Dashboard:Users:alice:Password</c> and <c>…:alice:Role</c>.</summary>
    public Dictionary<string, TaskFlowDashboardUser> Users { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The name of an authorization policy the app registered; used instead of <see cref="Users"/>.</summary>
    public string? Policy { get; set; }

    /// <summary>How long a login lasts without use (sliding).</summary>
    public double SessionHours { get; set; } = 8;

    /// <summary>Failed logins allowed for one user from one address before the brake holds further attempts.</summary>
    public int FailedLoginLimit { get; set; } = 5;

    /// <summary>The first hold after the limit; each further failure doubles it, up to 15 minutes.</summary>
    public double FailedLoginLockoutSeconds { get; set; } = 30;

    /// <summary>Which access rule applies.</summary>
    public TaskFlowAccessMode Mode =>
        !string.IsNullOrWhiteSpace(Policy) ? TaskFlowAccessMode.Policy
        : Users.Count > 0 ? TaskFlowAccessMode.Users
        : TaskFlowAccessMode.LoopbackOnly;

    /// <summary>Describes every setting that cannot work; empty when all are valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (!string.IsNullOrWhiteSpace(Policy) && Users.Count > 0)
            yield return "TaskFlow:Dashboard: set either Users or Policy, not both.";
        foreach (var (name, user) in Users)
        {
            var key = $"TaskFlow:Dashboard:Users:{name}";
            if (string.IsNullOrWhiteSpace(name) || name.Contains(':', StringComparison.Ordinal))
                yield return $"{key}: a user name must not be empty or contain ':'.";
            if (user.Role is not (TaskFlowRoles.Admin or TaskFlowRoles.Viewer))
                yield return $"{key}:Role must be '{TaskFlowRoles.Admin}' or '{TaskFlowRoles.Viewer}' (was '{user.Role}').";
            var hasPassword = !string.IsNullOrEmpty(user.Password);
            var hasHash = !string.IsNullOrEmpty(user.PasswordHash);
            if (hasPassword == hasHash)
                yield return $"{key}: set exactly one of Password and PasswordHash.";
            if (hasHash && !PasswordHashes.IsWellFormed(user.PasswordHash!))
                yield return $"{key}:PasswordHash is not a hash made by `--hash-password`.";
        }
        if (!double.IsFinite(SessionHours) || SessionHours <= 0) yield return $"TaskFlow:Dashboard:SessionHours must be more than 0 (was {SessionHours}).";
        if (FailedLoginLimit < 1) yield return $"TaskFlow:Dashboard:FailedLoginLimit must be 1 or more (was {FailedLoginLimit}).";
        if (!double.IsFinite(FailedLoginLockoutSeconds) || FailedLoginLockoutSeconds <= 0)
            yield return $"TaskFlow:Dashboard:FailedLoginLockoutSeconds must be more than 0 (was {FailedLoginLockoutSeconds}).";
    }
}

/// <summary>One dashboard user.</summary>
public sealed class TaskFlowDashboardUser
{
    /// <summary>The password in clear (from a secret store or the environment), or use <see cref="PasswordHash"/>.</summary>
    public string? Password { get; set; }

    /// <summary>A salted PBKDF2 hash printed by <c>dotnet run --project src/Api -- --hash-password</c>.</summary>
    public string? PasswordHash { get; set; }

    /// <summary><c>admin</c> (everything) or <c>viewer</c> (read only).</summary>
    public string Role { get; set; } = TaskFlowRoles.Viewer;
}

/// <summary>The two roles of configured users.</summary>
public static class TaskFlowRoles
{
    /// <summary>May read and change everything.</summary>
    public const string Admin = "admin";

    /// <summary>May read; every POST and DELETE answers 403.</summary>
    public const string Viewer = "viewer";
}

/// <summary>Which rule guards the dashboard and the admin API.</summary>
public enum TaskFlowAccessMode
{
    /// <summary>No users configured: only requests from this machine.</summary>
    LoopbackOnly,

    /// <summary>Configured users: login form, cookie, HTTP Basic.</summary>
    Users,

    /// <summary>The app's own authorization policy.</summary>
    Policy,
}
