using System.Collections.Concurrent;
using System.Net;
using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TaskFlow.Security;

/// <summary>Checks a user name and password against <c>TaskFlow:Dashboard:Users</c>, through the login brake.</summary>
internal sealed class DashboardUsers(IOptions<TaskFlowDashboardOptions> options, LoginBrake brake, TimeProvider time, ILogger<DashboardUsers> logger)
{
    // A PBKDF2 check costs tens of milliseconds by design; HTTP Basic sends the password with every request, so a
    // verified password is remembered (as a digest) for a few minutes.
    private static readonly TimeSpan VerifiedFor = TimeSpan.FromMinutes(5);
    private readonly ConcurrentDictionary<string, (byte[] Digest, DateTimeOffset Until)> _verified = new(StringComparer.Ordinal);

    public LoginOutcome Check(string? user, string? password, IPAddress? address, string authenticationType)
    {
        user ??= "";
        password ??= "";
        if (brake.HeldFor(user, address) is { } held)
        {
            Log.LoginHeld(logger, Log.Bounded(user), address?.ToString() ?? "local", held.TotalSeconds);
            return new LoginOutcome(null, held);
        }
        var known = options.Value.Users.TryGetValue(user, out var configured);
        if (!known) CostOfAFailure(password);
        if (known && Matches(user, password, configured!))
        {
            brake.Succeeded(user, address);
            var identity = new ClaimsIdentity(
                [new Claim(ClaimTypes.Name, user), new Claim(ClaimTypes.Role, configured!.Role), new Claim(CredentialClaim, Fingerprint(user, configured))],
                authenticationType, ClaimTypes.Name, ClaimTypes.Role);
            return new LoginOutcome(new ClaimsPrincipal(identity), null);
        }
        brake.Failed(user, address);
        Log.LoginFailed(logger, Log.Bounded(user), address?.ToString() ?? "local");
        return new LoginOutcome(null, brake.HeldFor(user, address));
    }

    /// <summary>Whether a signed-in user still exists with the same role (the configuration may have changed).
    /// A session also ends when the user's password changes: it carries a fingerprint of the credential it was
    /// signed in with.</summary>
    public bool StillValid(ClaimsPrincipal principal) =>
        principal.Identity?.Name is { } name && options.Value.Users.TryGetValue(name, out var user) && principal.IsInRole(user.Role) &&
        principal.FindFirst(CredentialClaim)?.Value is { } fingerprint &&
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(fingerprint), Encoding.ASCII.GetBytes(Fingerprint(name, user)));

    /// <summary>The claim holding <see cref="Fingerprint"/>.</summary>
    public const string CredentialClaim = "taskflow:credential";

    /// <summary>A digest of the user's configured credential (password or hash): it changes when the password does.
    /// PBKDF2, so that a ticket's fingerprint is no faster to test password guesses on than a PasswordHash; computed
    /// once per user and credential.</summary>
    internal static string Fingerprint(string user, TaskFlowDashboardUser configured)
    {
        var credential = configured.PasswordHash ?? configured.Password ?? "";
        return Fingerprints.GetOrAdd((user, credential), key => Convert.ToHexString(Rfc2898DeriveBytes.Pbkdf2(
            Encoding.UTF8.GetBytes(key.Credential), Encoding.UTF8.GetBytes("taskflow-session-v1:" + key.User), 100_000, HashAlgorithmName.SHA256, 16)));
    }

    private static readonly ConcurrentDictionary<(string User, string Credential), string> Fingerprints = new();

    /// <summary>An unknown user fails in the time a known one does, so user names cannot be told apart by timing: a
    /// PBKDF2 check against a dummy hash when any user has a <c>PasswordHash</c>, a digest comparison otherwise.</summary>
    private void CostOfAFailure(string password)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(password));
        if (options.Value.Users.Values.Any(u => u.PasswordHash is { Length: > 0 }))
            PasswordHashes.Verify(password, DummyHash.Value);
        else
            CryptographicOperations.FixedTimeEquals(digest, DummyDigest);
    }

    private static readonly Lazy<string> DummyHash = new(() => PasswordHashes.Hash(Convert.ToBase64String(RandomNumberGenerator.GetBytes(24))));
    private static readonly byte[] DummyDigest = RandomNumberGenerator.GetBytes(32);

    private bool Matches(string user, string password, TaskFlowDashboardUser configured)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(password));
        if (configured.Password is { Length: > 0 } clear)
            return CryptographicOperations.FixedTimeEquals(digest, SHA256.HashData(Encoding.UTF8.GetBytes(clear)));

        var now = time.GetUtcNow();
        if (_verified.TryGetValue(user, out var known) && known.Until > now && CryptographicOperations.FixedTimeEquals(digest, known.Digest))
            return true;
        if (!PasswordHashes.Verify(password, configured.PasswordHash!)) return false;
        _verified[user] = (digest, now + VerifiedFor);
        return true;
    }
}

/// <summary>A signed-in principal, or why not: <see cref="RetryAfter"/> set when the brake holds the attempts.</summary>
internal readonly record struct LoginOutcome(ClaimsPrincipal? Principal, TimeSpan? RetryAfter);
