using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskFlow.Security;

namespace TaskFlow.Hosting;

/// <summary>Warns at start when this node is part of a cluster (Client mode, or PostgreSQL storage) and relies on Data
/// Protection (configured users: cookies and sessions; <c>EncryptArgs</c>: task arguments), yet its key ring is
/// neither shared (no key repository configured: keys stay in this process or this machine's profile, so other nodes
/// cannot read what this one protected) nor protected at rest (no key encryptor).</summary>
internal sealed class DataProtectionKeysCheck(bool clustered, bool encryptsArgs, IServiceProvider services, ILogger<DataProtectionKeysCheck> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (!clustered) return Task.CompletedTask;
        var usersMode = services.GetRequiredService<IOptions<TaskFlowDashboardOptions>>().Value.Mode == TaskFlowAccessMode.Users;
        if (!usersMode && !encryptsArgs) return Task.CompletedTask;
        var keys = services.GetService<IOptions<KeyManagementOptions>>()?.Value;
        if (keys is { XmlRepository: null, XmlEncryptor: null })
            KeysLog.Unshared(logger, usersMode ? "dashboard sessions" : "task arguments");
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

internal static partial class KeysLog
{
    [LoggerMessage(EventId = 1301, Level = LogLevel.Warning, Message = "TaskFlow runs in a cluster and protects {What} with ASP.NET Core Data Protection, but its key ring is neither shared nor protected at rest: other nodes cannot read what this one protects, and the keys lie in clear on this machine. Persist the keys where every node reads them (TaskFlow:Storage:KeysPath, PersistKeysToDbContext, …) and protect them (ProtectKeysWithCertificate, …); see docs/SECURITY.md")]
    public static partial void Unshared(ILogger logger, string what);
}
