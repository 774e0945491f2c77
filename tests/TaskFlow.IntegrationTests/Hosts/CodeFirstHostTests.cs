using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using TaskFlow.Grains;
using TaskFlow.IntegrationTests.Infrastructure;
using TaskFlow.Testing;

namespace TaskFlow.IntegrationTests.Hosts;

/// <summary>Options set in code reach the silo an app hosts, over whatever its configuration says; a Client-mode node
/// with no storage package reaches the silos through the gateways it lists.</summary>
public sealed class CodeFirstHostTests
{
    [Fact]
    public async Task Options_set_in_code_shape_the_embedded_silo()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.Configuration["TaskFlow:MaxConcurrency"] = "9";
        builder.AddTaskFlow(o =>
        {
            o.Storage.Provider = StorageProvider.Memory;
            o.Cluster.SiloPort = FreePort.Next();
            o.Cluster.GatewayPort = FreePort.Next();
            o.Cluster.ServiceId = "code-first-" + Guid.NewGuid().ToString("N");
            o.MaxConcurrency = 3;
            o.ShutdownGrace = TimeSpan.FromSeconds(1);
        }, tf => tf.AddMemoryStorage());
        await using var app = builder.Build();
        await app.StartAsync();

        var snapshot = await app.Services.GetRequiredService<IGrainFactory>().GetGrain<IDispatcherGrain>(0).Snapshot();

        Assert.Equal(3, snapshot.MaxConcurrency);
        await app.StopAsync();
    }

    [Fact]
    public async Task A_client_node_without_storage_enqueues_through_the_listed_gateway()
    {
        var serviceId = "gateways-" + Guid.NewGuid().ToString("N");
        var gatewayPort = FreePort.Next();
        await using var silo = await TaskFlowTestHost.StartAsync(tf => tf.AddTask<Echo>("echo"), options: o =>
        {
            o.Cluster.ServiceId = serviceId;
            o.Cluster.GatewayPort = gatewayPort;
        });
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseTestServer();
        builder.AddTaskFlow(o =>
        {
            o.Cluster.Mode = ClusterMode.Client;
            o.Cluster.ServiceId = serviceId;
            o.Cluster.Gateways = [$"127.0.0.1:{gatewayPort}"];
        }, tf => tf.AddTask<Echo>("echo"));
        await using var web = builder.Build();
        await web.StartAsync();
        var queue = web.Services.GetRequiredService<ITaskQueue>();

        var taskId = await queue.EnqueueAsync(new EchoArgs("hello"));
        var record = await queue.WaitForAsync(taskId, TaskRunStatus.Success, TimeSpan.FromSeconds(30));

        Assert.Equal("echo", record.Name);
        await web.StopAsync();
    }

    public sealed record EchoArgs(string Text);

    public sealed class Echo : ITaskHandler<EchoArgs>
    {
        public Task RunAsync(EchoArgs args, TaskContext context, CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
