namespace TaskFlow;

/// <summary>The <c>TaskFlow</c> configuration section (docs/API.md lists every key); set in code with
/// <c>AddTaskFlow(o =&gt; …)</c>, which applies after the configuration.</summary>
public sealed class TaskFlowOptions
{
    /// <summary>The configuration section these options bind to.</summary>
    public const string SectionName = "TaskFlow";

    /// <summary>How this process takes part in the cluster.</summary>
    public TaskFlowClusterOptions Cluster { get; set; } = new();

    /// <summary>Where task state is stored.</summary>
    public TaskFlowStorageOptions Storage { get; set; } = new();

    /// <summary>Tasks running at once, cluster-wide.</summary>
    public int MaxConcurrency { get; set; } = 10;

    /// <summary>Pending and retrying tasks survive a restart and run afterwards.</summary>
    public bool RequeuePending { get; set; } = true;

    /// <summary>Terminal tasks older than this many days are deleted; null keeps them.</summary>
    public double? RetentionDays { get; set; }

    /// <summary>Demo tasks and schedules of the sample host.</summary>
    public TaskFlowDemoOptions Demo { get; set; } = new();

    /// <summary>How long a stopping silo lets running attempts finish before it interrupts them (they are then queued
    /// again or marked interrupted, per the task's options). The host's own shutdown timeout is raised above it.</summary>
    public TimeSpan ShutdownGrace { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Links from the dashboard to the operator's tracing tool.</summary>
    public TaskFlowTelemetryOptions Telemetry { get; set; } = new();

    /// <summary>Describes every setting out of range; empty when all are valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (MaxConcurrency < 1) yield return $"TaskFlow:MaxConcurrency must be 1 or more (was {MaxConcurrency}).";
        if (RetentionDays is { } days && (!double.IsFinite(days) || days <= 0)) yield return $"TaskFlow:RetentionDays must be more than 0 (was {days}).";
        if (Cluster.SiloPort is < 1 or > 65535) yield return $"TaskFlow:Cluster:SiloPort must be a TCP port (was {Cluster.SiloPort}).";
        if (Cluster.GatewayPort is < 1 or > 65535) yield return $"TaskFlow:Cluster:GatewayPort must be a TCP port (was {Cluster.GatewayPort}).";
        if (string.IsNullOrWhiteSpace(Cluster.ClusterId)) yield return "TaskFlow:Cluster:ClusterId must not be empty.";
        if (string.IsNullOrWhiteSpace(Cluster.ServiceId)) yield return "TaskFlow:Cluster:ServiceId must not be empty.";
        if (ShutdownGrace < TimeSpan.Zero || ShutdownGrace > TimeSpan.FromHours(1))
            yield return $"TaskFlow:ShutdownGrace must be between 00:00:00 and 01:00:00 (was {ShutdownGrace}).";
        if (Cluster.HealthPort is < 0 or > 65535) yield return $"TaskFlow:Cluster:HealthPort must be 0 (off) or a TCP port (was {Cluster.HealthPort}).";
        if (Cluster.AdvertisedAddress is { } advertised && (string.IsNullOrWhiteSpace(advertised) || Uri.CheckHostName(advertised.Trim()) == UriHostNameType.Unknown))
            yield return $"TaskFlow:Cluster:AdvertisedAddress must be an IP address or a DNS name (was '{advertised}').";
        if (Telemetry.TraceUrl is { } traceUrl && !TaskFlowTelemetryOptions.IsValidTraceUrl(traceUrl))
            yield return $"TaskFlow:Telemetry:TraceUrl must be an absolute http(s) URL containing {{traceId}} (was '{traceUrl}').";
        foreach (var gateway in Cluster.Gateways.Where(g => !TaskFlowClusterOptions.IsValidGateway(g)))
            yield return $"TaskFlow:Cluster:Gateways must list host:port entries (was '{gateway}').";
        if (Demo.HeartbeatSeconds < 0) yield return $"TaskFlow:Demo:HeartbeatSeconds must be 0 (off) or more (was {Demo.HeartbeatSeconds}).";
    }
}

/// <summary>Whether the API hosts a silo or joins a cluster.</summary>
public enum ClusterMode
{
    /// <summary>The API process hosts a silo itself.</summary>
    Embedded,
    /// <summary>The API process joins an external cluster as an Orleans client.</summary>
    Client,
}

/// <summary>The <c>TaskFlow:Cluster</c> section.</summary>
public sealed class TaskFlowClusterOptions
{
    /// <summary>Embedded (default) or Client.</summary>
    public ClusterMode Mode { get; set; } = ClusterMode.Embedded;

    /// <summary>Silo-to-silo port of a hosted silo.</summary>
    public int SiloPort { get; set; } = 11111;

    /// <summary>Client gateway port of a hosted silo, and the port a client connects to.</summary>
    public int GatewayPort { get; set; } = 30000;

    /// <summary>Orleans cluster id.</summary>
    public string ClusterId { get; set; } = "taskflow";

    /// <summary>Orleans service id; keeps stored state apart between deployments.</summary>
    public string ServiceId { get; set; } = "taskflow";

    /// <summary>The address other silos and clients reach this silo at: an IP address or a DNS name (resolved at
    /// start). Unset on PostgreSQL: the host's first non-loopback address. Silos listen on every interface; localhost
    /// clustering (SQLite, Memory) stays on the loopback.</summary>
    public string? AdvertisedAddress { get; set; }

    /// <summary>A standalone silo's HTTP port for <c>/health/live</c> and <c>/health/ready</c> (container probes);
    /// 0 serves none.</summary>
    public int HealthPort { get; set; }

    /// <summary>Runs under Kubernetes with Orleans' Kubernetes hosting: the pod's IP is advertised (unless
    /// <see cref="AdvertisedAddress"/> is set) and pods of dead silos are deleted.</summary>
    public bool Kubernetes { get; set; }

    /// <summary>The silos' gateways (<c>host:port</c>) a Client-mode node connects to, when membership is not read from
    /// the storage provider's database: a web node with TaskFlow.AspNetCore alone finds the cluster this way.</summary>
    public IList<string> Gateways { get; set; } = [];

    /// <summary>A host name or IP address, a colon and a TCP port.</summary>
    public static bool IsValidGateway(string gateway)
    {
        var colon = gateway?.LastIndexOf(':') ?? -1;
        return colon > 0
            && Uri.CheckHostName(gateway![..colon].Trim('[', ']')) != UriHostNameType.Unknown
            && int.TryParse(gateway[(colon + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port)
            && port is >= 1 and <= 65535;
    }
}

/// <summary>Storage providers.</summary>
public enum StorageProvider
{
    /// <summary>Nothing survives the process; for tests and trials.</summary>
    Memory,
    /// <summary>A SQLite file; the embedded default.</summary>
    Sqlite,
    /// <summary>PostgreSQL; the cluster store.</summary>
    Postgres,
}

/// <summary>The <c>TaskFlow:Storage</c> section.</summary>
public sealed class TaskFlowStorageOptions
{
    /// <summary>Which store holds task state.</summary>
    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>Connection string for the provider.</summary>
    public string ConnectionString { get; set; } = "Data Source=tasks.db";

    /// <summary>Encrypts task arguments at rest with ASP.NET Core Data Protection.</summary>
    public bool EncryptArgs { get; set; }

    /// <summary>A directory every silo reads for the Data Protection key ring when <see cref="EncryptArgs"/> is set.</summary>
    public string? KeysPath { get; set; }
}

/// <summary>The <c>TaskFlow:Demo</c> section.</summary>
public sealed class TaskFlowDemoOptions
{
    /// <summary>Registers the demo tasks and schedules.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Fires the <c>heartbeat</c> schedule this often; 0 turns it off.</summary>
    public double HeartbeatSeconds { get; set; }
}

/// <summary>The <c>TaskFlow:Telemetry</c> section.</summary>
public sealed class TaskFlowTelemetryOptions
{
    /// <summary>A link to a trace in the operator's tracing tool, with <c>{traceId}</c> where the trace id goes (e.g.
    /// <c>https://jaeger.example/trace/{traceId}</c>); the dashboard's task detail links the task's trace with it.</summary>
    public string? TraceUrl { get; set; }

    /// <summary>An absolute http(s) URL with a <c>{traceId}</c> placeholder.</summary>
    public static bool IsValidTraceUrl(string url) =>
        url.Contains("{traceId}", StringComparison.Ordinal)
        && Uri.TryCreate(url.Replace("{traceId}", "0", StringComparison.Ordinal), UriKind.Absolute, out var uri)
        && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
