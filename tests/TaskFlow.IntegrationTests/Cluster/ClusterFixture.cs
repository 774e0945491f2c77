using Microsoft.Extensions.Configuration;
using Orleans.TestingHost;
using TaskFlow.Demo;
using TaskFlow.Hosting;

namespace TaskFlow.IntegrationTests.Cluster;

/// <summary>A two-silo Orleans TestCluster running the TaskFlow runtime with the demo tasks, and a client-side queue.</summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; private set; } = null!;

    public ITaskQueue Queue { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(2);
        builder.Options.ServiceId = "runtime-" + Guid.NewGuid().ToString("N");
        builder.AddSiloBuilderConfigurator<SiloConfigurator>();
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        var registry = new TaskFlowBuilder(new Microsoft.Extensions.DependencyInjection.ServiceCollection()).AddDemoTasks().Registry;
        Queue = new TaskQueue(Cluster.Client, registry);
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            var configuration = new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?>
                {
                    ["TaskFlow:MaxConcurrency"] = "10",
                    ["TaskFlow:Storage:Provider"] = "Memory",
                })
                .Build();
            siloBuilder.AddTaskFlow(configuration, tf => tf.AddDemoTasks());
        }
    }
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "two-silo cluster";
}
