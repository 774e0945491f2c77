using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.TestingHost;
using TaskFlow.Hosting;

namespace TaskFlow.IntegrationTests.Cluster;

/// <summary>A three-silo test cluster with a given global limit and the probe tasks: <c>probe</c> (free),
/// <c>probe_single</c> (per-task limit 1), <c>probe_once</c> (not re-run after an interruption).</summary>
public sealed class DispatchCluster : IAsyncDisposable
{
    private DispatchCluster(TestCluster cluster, ITaskQueue queue)
    {
        Cluster = cluster;
        Queue = queue;
    }

    /// <summary>The every-second schedule of a cluster started with one.</summary>
    public const string ScheduleName = "tick_every_second";

    public TestCluster Cluster { get; }

    public ITaskQueue Queue { get; }

    public static async Task<DispatchCluster> StartAsync(int maxConcurrency, bool everySecondSchedule = false, TimeSpan? shutdownGrace = null)
    {
        var builder = new TestClusterBuilder(3);
        if (shutdownGrace is { } grace) builder.Properties["TaskFlow:ShutdownGrace"] = grace.ToString("c", CultureInfo.InvariantCulture);
        builder.Options.ServiceId = "dispatch-" + Guid.NewGuid().ToString("N");
        builder.Properties["TaskFlow:MaxConcurrency"] = maxConcurrency.ToString(CultureInfo.InvariantCulture);
        builder.Properties["TaskFlow:Storage:Provider"] = "Memory";
        if (everySecondSchedule) builder.Properties["Test:EverySecond"] = "true";
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        builder.AddClientBuilderConfigurator<ClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return new DispatchCluster(cluster, new TaskQueue(cluster.Client, Register(new TaskFlowBuilder(new ServiceCollection())).Registry));
    }

    public async ValueTask DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    public Task<Guid> EnqueueAsync(string name, Probe probe, int? priority = null) =>
        Queue.EnqueueAsync(name, System.Text.Json.JsonSerializer.SerializeToElement(probe, System.Text.Json.JsonSerializerOptions.Web),
            new EnqueueOptions { Priority = priority });

    internal static TaskFlowBuilder Register(TaskFlowBuilder tf) => tf
        .AddTask<ProbeHandler>("probe")
        .AddTask<ProbeHandler>("probe_single", o => o.MaxConcurrency(1))
        .AddTask<ProbeHandler>("probe_once", o => o.RequeueOnInterrupt(false));

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var everySecond = siloBuilder.Configuration["Test:EverySecond"] == "true";
            siloBuilder.AddTaskFlow(siloBuilder.Configuration, tf =>
            {
                Register(tf);
                if (everySecond)
                    tf.AddSchedule<ProbeHandler>(ScheduleName, TimeSpan.FromSeconds(1), o => o.Args(new Probe("schedule", "tick", 0)));
            });
            // Declare a killed silo dead within a few seconds, so failover is measured in seconds, not minutes.
            siloBuilder.Configure<ClusterMembershipOptions>(o =>
            {
                o.ProbeTimeout = TimeSpan.FromSeconds(1);
                o.NumMissedProbesLimit = 2;
                o.NumVotesForDeathDeclaration = 1;
            });
            siloBuilder.Configure<SiloMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(5));
        }
    }

    private sealed class ClientConfigurator : IClientBuilderConfigurator
    {
        public void Configure(Microsoft.Extensions.Configuration.IConfiguration configuration, IClientBuilder clientBuilder) =>
            clientBuilder.Configure<ClientMessagingOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(5));
    }
}
