using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Http;
using TaskFlow.Endpoints;
using TaskFlow.Grains;

namespace TaskFlow.Security;

/// <summary>Server-side sessions for TaskFlow's cookie: the cookie carries only a random session key (protected by
/// Data Protection), the ticket lives in an <see cref="ISessionGrain"/>, itself protected with the same key ring. Logging out removes it cluster-wide, so a
/// copied cookie stops working on every node; the grain is keyed by a digest of the key, so the store never holds a
/// usable key.</summary>
internal sealed class SessionTicketStore(IGrainFactory grains, TimeProvider time, double sessionHours, IDataProtector protector) : ITicketStore
{
    private const string UnavailableKey = "TaskFlow.SessionsUnavailable";

    /// <summary>True when this request's session could not be read because the cluster or its store is away.</summary>
    public static bool WasUnavailable(HttpContext http) => http.Items.ContainsKey(UnavailableKey);

    public Task<string> StoreAsync(AuthenticationTicket ticket) => StoreAsync(ticket, CancellationToken.None);

    public async Task<string> StoreAsync(AuthenticationTicket ticket, CancellationToken cancellationToken)
    {
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await RenewAsync(key, ticket, cancellationToken);
        return key;
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) => RenewAsync(key, ticket, CancellationToken.None);

    public Task RenewAsync(string key, AuthenticationTicket ticket, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ticket);
        var expires = ticket.Properties.ExpiresUtc ?? time.GetUtcNow() + TimeSpan.FromHours(sessionHours);
        return Session(key).Store(protector.Protect(TicketSerializer.Default.Serialize(ticket)), expires).WaitAsync(cancellationToken);
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key) => RetrieveAsync(key, CancellationToken.None);

    public async Task<AuthenticationTicket?> RetrieveAsync(string key, CancellationToken cancellationToken)
    {
        if (await Session(key).Retrieve().WaitAsync(cancellationToken) is not { } bytes) return null;
        try
        {
            return TicketSerializer.Default.Deserialize(protector.Unprotect(bytes));
        }
        catch (CryptographicException)
        {
            return null; // stored under a key this node does not have: not a session here
        }
    }

    public async Task<AuthenticationTicket?> RetrieveAsync(string key, HttpContext httpContext, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        try
        {
            return await RetrieveAsync(key, cancellationToken);
        }
        catch (Exception ex) when (TaskFlowProblems.IsUnavailable(ex) && !cancellationToken.IsCancellationRequested)
        {
            // Not signed in for this request; the challenge answers 503 rather than sending the user to log in again.
            httpContext.Items[UnavailableKey] = true;
            return null;
        }
    }

    public Task RemoveAsync(string key) => RemoveAsync(key, CancellationToken.None);

    public Task RemoveAsync(string key, CancellationToken cancellationToken) => Session(key).Remove().WaitAsync(cancellationToken);

    private ISessionGrain Session(string key) =>
        grains.GetGrain<ISessionGrain>(Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(key))).ToLowerInvariant());
}
