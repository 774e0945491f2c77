using Microsoft.AspNetCore.DataProtection;
using TaskFlow.Storage;

namespace TaskFlow.Hosting;

/// <summary>Task arguments encrypted with ASP.NET Core Data Protection (purpose <c>TaskFlow.TaskArgs.v1</c>). Every
/// silo must share the key ring: set <c>TaskFlow:Storage:KeysPath</c> to a directory they all see, or configure Data
/// Protection's key storage yourself.</summary>
public sealed class DataProtectionArgsProtector(IDataProtectionProvider provider) : ITaskArgsProtector
{
    private readonly IDataProtector _protector = provider.CreateProtector("TaskFlow.TaskArgs.v1");

    /// <inheritdoc />
    public string Protect(string argsJson) => _protector.Protect(argsJson);

    /// <inheritdoc />
    public string Unprotect(string protectedArgs) => _protector.Unprotect(protectedArgs);
}

/// <summary>Registers argument encryption when <c>TaskFlow:Storage:EncryptArgs</c> is true.</summary>
public static class ArgsEncryptionExtensions
{
    /// <summary>Adds Data Protection and the protector when the configuration asks for encryption at rest.</summary>
    public static Microsoft.Extensions.DependencyInjection.IServiceCollection AddTaskFlowArgsEncryption(
        this Microsoft.Extensions.DependencyInjection.IServiceCollection services, Microsoft.Extensions.Configuration.IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        var storage = configuration.GetSection("TaskFlow:Storage");
        if (!string.Equals(storage["EncryptArgs"], "true", StringComparison.OrdinalIgnoreCase)) return services;
        var dataProtection = Microsoft.Extensions.DependencyInjection.DataProtectionServiceCollectionExtensions
            .AddDataProtection(services).SetApplicationName("TaskFlow");
        if (storage["KeysPath"] is { Length: > 0 } keys)
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(keys));
        Microsoft.Extensions.DependencyInjection.ServiceCollectionServiceExtensions.AddSingleton<ITaskArgsProtector, DataProtectionArgsProtector>(services);
        return services;
    }
}
