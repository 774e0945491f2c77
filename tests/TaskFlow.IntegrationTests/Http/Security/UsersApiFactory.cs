namespace TaskFlow.IntegrationTests.Http.Security;

/// <summary>The Api host with configured users: <c>ada</c> (admin, clear password), <c>vic</c> (viewer, hashed
/// password), and the brake at three failures.</summary>
public class UsersApiFactory : ApiFactory
{
    public const string Admin = "ada";
    public const string AdminPassword = "ada-Secret-1";
    public const string Viewer = "vic";
    public const string ViewerPassword = "vic-Secret-2";

    protected override IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>
    {
        [$"TaskFlow:Dashboard:Users:{Admin}:Password"] = AdminPassword,
        [$"TaskFlow:Dashboard:Users:{Admin}:Role"] = "admin",
        [$"TaskFlow:Dashboard:Users:{Viewer}:PasswordHash"] = TaskFlow.Security.PasswordHashes.Hash(ViewerPassword),
        [$"TaskFlow:Dashboard:Users:{Viewer}:Role"] = "viewer",
        ["TaskFlow:Dashboard:FailedLoginLimit"] = "3",
    };
}

[CollectionDefinition(Name)]
public sealed class UsersApiCollection : ICollectionFixture<UsersApiFactory>
{
    public const string Name = "api host with users";
}
