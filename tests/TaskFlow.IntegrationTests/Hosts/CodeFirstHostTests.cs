using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using TaskFlow.Grains;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Hosts;

/// <summary>Options set in code reach the silo an app hosts, over whatever its configuration says.</summary>
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
}
