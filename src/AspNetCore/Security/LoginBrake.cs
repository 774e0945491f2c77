using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Options;

namespace TaskFlow.Security;

/// <summary>The brake on repeated failed logins (form and HTTP Basic alike). After
/// <see cref="TaskFlowDashboardOptions.FailedLoginLimit"/> failures for one user name from one address, attempts are
/// held (not even checked) for the lockout, doubling with each further failure up to 15 minutes. One address trying
/// many names is held after four times the limit. Failures are forgotten 15 minutes after the last one.</summary>
internal sealed class LoginBrake(IOptions<TaskFlowDashboardOptions> options, TimeProvider time)
{
    private static readonly TimeSpan Memory = TimeSpan.FromMinutes(15);
    private static readonly TimeSpan LongestHold = TimeSpan.FromMinutes(15);
    private const int MaxEntries = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    /// <summary>How long attempts for this user from this address are still held; null when they may proceed.</summary>
    public TimeSpan? HeldFor(string user, IPAddress? address)
    {
        var now = time.GetUtcNow();
        var longest = TimeSpan.Zero;
        foreach (var key in Keys(user, address))
            if (_entries.TryGetValue(key, out var entry) && entry.HeldUntil > now && entry.HeldUntil - now > longest)
                longest = entry.HeldUntil - now;
        return longest > TimeSpan.Zero ? longest : null;
    }

    public void Failed(string user, IPAddress? address)
    {
        var now = time.GetUtcNow();
        var settings = options.Value;
        var keys = Keys(user, address);
        for (var i = 0; i < keys.Length; i++)
        {
            var limit = i == 0 ? settings.FailedLoginLimit : settings.FailedLoginLimit * 4;
            _entries.AddOrUpdate(keys[i],
                _ => Next(new Entry(0, now, DateTimeOffset.MinValue), now, limit, settings.FailedLoginLockoutSeconds),
                (_, entry) => Next(now - entry.LastFailure > Memory ? new Entry(0, now, DateTimeOffset.MinValue) : entry, now, limit,
                    settings.FailedLoginLockoutSeconds));
        }
        if (_entries.Count > MaxEntries) Forget(now);
    }

    public void Succeeded(string user, IPAddress? address) => _entries.TryRemove(Keys(user, address)[0], out _);

    private static Entry Next(Entry entry, DateTimeOffset now, int limit, double lockoutSeconds)
    {
        var failures = entry.Failures + 1;
        if (failures < limit) return new Entry(failures, now, entry.HeldUntil);
        var hold = TimeSpan.FromSeconds(lockoutSeconds * Math.Pow(2, Math.Min(failures - limit, 20)));
        return new Entry(failures, now, now + (hold < LongestHold ? hold : LongestHold));
    }

    private void Forget(DateTimeOffset now)
    {
        foreach (var (key, entry) in _entries)
            if (now - entry.LastFailure > Memory && entry.HeldUntil <= now) _entries.TryRemove(key, out _);
    }

    private static string[] Keys(string user, IPAddress? address)
    {
        var from = address?.ToString() ?? "local";
        return [$"{user.ToLowerInvariant()}|{from}", $"*|{from}"];
    }

    private sealed record Entry(int Failures, DateTimeOffset LastFailure, DateTimeOffset HeldUntil);
}
