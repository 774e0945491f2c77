using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace TaskFlow.Security;

/// <summary>HTTP Basic against <c>TaskFlow:Dashboard:Users</c>, for scripts calling the JSON API and the stream.</summary>
internal sealed class BasicAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder, DashboardUsers users)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!AuthenticationHeaderValue.TryParse(Request.Headers.Authorization, out var header) ||
            !string.Equals(header.Scheme, "Basic", StringComparison.OrdinalIgnoreCase))
            return Task.FromResult(AuthenticateResult.NoResult());

        string decoded;
        try
        {
            decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header.Parameter ?? ""));
        }
        catch (FormatException)
        {
            return Task.FromResult(AuthenticateResult.Fail("The Basic credentials are not base64."));
        }
        var colon = decoded.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0) return Task.FromResult(AuthenticateResult.Fail("The Basic credentials have no ':'."));

        var outcome = users.Check(decoded[..colon], decoded[(colon + 1)..], ClientAddress.Of(Context), Scheme.Name);
        if (outcome.Principal is { } principal)
            return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, Scheme.Name)));
        if (outcome.RetryAfter is { } held) AccessProblems.MarkHeld(Context, held);
        return Task.FromResult(AuthenticateResult.Fail("Invalid user name or password."));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties) => AccessProblems.UnauthorizedAsync(Context);

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) => AccessProblems.ForbiddenAsync(Context);
}
