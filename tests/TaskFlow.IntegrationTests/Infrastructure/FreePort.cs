namespace TaskFlow.IntegrationTests.Infrastructure;

/// <summary>Ports for the hosts these tests start: the testing kit's, so the tests and the kit never hand out the same
/// port twice in one run.</summary>
public static class FreePort
{
    /// <summary>A TCP port nothing listens on right now, and not handed out before in this run.</summary>
    public static int Next() => TaskFlow.Testing.FreePorts.Next();
}
