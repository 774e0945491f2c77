using System.Globalization;

namespace TaskFlow.Testing;

/// <summary>The settings that make a TaskFlow host a private test host: the in-memory store under a service id of its
/// own (so hosts in one test process share no tasks), silo and gateway ports nothing listens on, no demo tasks, a short
/// shutdown grace.</summary>
internal static class TestSettings
{
    public static Dictionary<string, string?> Create() => new()
    {
        ["TaskFlow:Cluster:Mode"] = nameof(ClusterMode.Embedded),
        ["TaskFlow:Cluster:SiloPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
        ["TaskFlow:Cluster:GatewayPort"] = FreePorts.Next().ToString(CultureInfo.InvariantCulture),
        ["TaskFlow:Cluster:ServiceId"] = "taskflow-test-" + Guid.NewGuid().ToString("N"),
        ["TaskFlow:Storage:Provider"] = nameof(StorageProvider.Memory),
        ["TaskFlow:Demo:Enabled"] = "false",
        // A test ends by stopping its host: an attempt still running is interrupted after a second, not thirty.
        ["TaskFlow:ShutdownGrace"] = "00:00:01",
    };
}
