using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using TaskFlow.IntegrationTests.Infrastructure;

namespace TaskFlow.IntegrationTests.Http;

/// <summary>The real Api host (embedded silo, demo tasks) on in-process HTTP, with its own silo ports. A request may
/// say which address it comes from (header <see cref="RemoteAddressHeader"/>); without it, the in-process server gives
/// no address, which TaskFlow treats as this machine.</summary>
public class ApiFactory : WebApplicationFactory<Program>
{
    public const string RemoteAddressHeader = "X-Test-Remote-Address";

    /// <summary>The hosting environment: Production, as deployed, unless a test needs another.</summary>
    protected virtual string EnvironmentName => "Production";

    /// <summary>Settings added to (or replacing) the defaults below.</summary>
    protected virtual IReadOnlyDictionary<string, string> Settings => new Dictionary<string, string>();

    protected virtual void ConfigureTestServices(IServiceCollection services)
    {
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("TaskFlow:Cluster:SiloPort", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("TaskFlow:Cluster:GatewayPort", FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("TaskFlow:Storage:Provider", "Memory");
        foreach (var (key, value) in Settings) builder.UseSetting(key, value);
        builder.UseEnvironment(EnvironmentName);
        builder.ConfigureServices(services =>
        {
            services.AddTransient<IStartupFilter, RemoteAddressFromHeader>();
            ConfigureTestServices(services);
        });
    }

    private sealed class RemoteAddressFromHeader : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (IPAddress.TryParse(context.Request.Headers[RemoteAddressHeader], out var address))
                    context.Connection.RemoteIpAddress = address;
                return nextMiddleware(context);
            });
            next(app);
        };
    }
}

[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<ApiFactory>
{
    public const string Name = "api host";
}
