using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskFlow.Hosting;

namespace TaskFlow.IntegrationTests.Infrastructure;

/// <summary>A silo in the test process on a PostgreSQL database (storage, membership and reminders), as the standalone
/// Silo host configures it.</summary>
public static class PostgresSilo
{
    /// <summary>Starts a silo on fresh ports; stop and dispose the host to end it.</summary>
    public static async Task<IHost> StartAsync(string connectionString, Action<TaskFlowBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TaskFlow:Storage:Provider"] = "Postgres",
            ["TaskFlow:Storage:ConnectionString"] = connectionString,
            ["TaskFlow:Cluster:SiloPort"] = HostProcess.Port(FreePort.Next()),
            ["TaskFlow:Cluster:GatewayPort"] = HostProcess.Port(FreePort.Next()),
        });
        builder.UseOrleans(silo => silo.UseTaskFlow(builder.Configuration, tf =>
        {
            tf.AddPostgreSqlStorage();
            configure?.Invoke(tf);
        }));
        var host = builder.Build();
        try
        {
            await host.StartAsync();
            return host;
        }
        catch
        {
            host.Dispose();
            throw;
        }
    }
}
