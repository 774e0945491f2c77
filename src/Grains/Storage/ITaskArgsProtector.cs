namespace TaskFlow.Storage;

/// <summary>Encrypts task arguments at rest: <see cref="TaskStates"/> protects them before a task's state is
/// written and unprotects them when it is read, so the store (and its backups) never hold them in clear.</summary>
public interface ITaskArgsProtector
{
    /// <summary>The protected form of <paramref name="argsJson"/>.</summary>
    string Protect(string argsJson);

    /// <summary>The JSON behind <paramref name="protectedArgs"/>.</summary>
    /// <exception cref="System.Security.Cryptography.CryptographicException">The key is not in the key ring.</exception>
    string Unprotect(string protectedArgs);
}
