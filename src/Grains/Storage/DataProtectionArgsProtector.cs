using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;

namespace TaskFlow.Storage;

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
    /// <summary>Adds Data Protection (the library, not the web framework) and the protector when
    /// <paramref name="storage"/> asks for encryption at rest.</summary>
    public static IServiceCollection AddTaskFlowArgsEncryption(this IServiceCollection services, TaskFlowStorageOptions storage)
    {
        ArgumentNullException.ThrowIfNull(storage);
        if (!storage.EncryptArgs) return services;
        var dataProtection = services.AddDataProtection().SetApplicationName("TaskFlow");
        if (storage.KeysPath is { Length: > 0 } keys)
            dataProtection.PersistKeysToFileSystem(new DirectoryInfo(keys));
        services.AddSingleton<ITaskArgsProtector, DataProtectionArgsProtector>();
        return services;
    }
}
